import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import PGClient
import TestSupport
import Testing

/// SPEC §11's figures as the store keeps them: written with each version, the same as the Swift tally
/// and the migration's backfill, unchanged by retention, and following a corrected rate.
@Suite("Outcome figures in the store", .timeLimit(.minutes(10)))
struct OutcomeStoreTests {
    let fixture: StoreFixture
    init() async throws { fixture = try await StoreFixture("outcomes") }

    static let period = ReportingPeriod("2026-Q3")!
    static let columns =
        "worker_ref,employment_type,contract_type,age_band,workplace_london,hourly_rate,contracted_hours,"
        + "start_date,shifts_scheduled,shifts_short_notice,shifts_cancelled_short_notice,shifts_cancelled_paid,sex,"
        + "apprentice_first_year,zhc_by_request"

    /// A CSV line: direct permanent 21+ outside London on £13.50 for 37.5 hours unless told otherwise.
    static func line(
        _ ref: String, type: String = "direct", contract: String = "permanent", age: String = "21_plus",
        london: Bool = false, rate: String = "13.50", hours: String = "37.5", sex: String = ""
    ) -> String {
        "\(ref),\(type),\(contract),\(age),\(london ? "yes" : "no"),\(rate),\(hours),2021-03-01,0,0,0,0,\(sex),no,no"
    }

    /// Eight lines touching every population: London, excluded types, under 18, agency, zero-hours,
    /// casual, low hours, men and women.
    static let mixed = [
        line("A1", rate: "13.44", sex: "female"),
        line("A2", london: true, rate: "14.00", sex: "male"),
        line("A3", contract: "apprentice", rate: "9.00", sex: "female"),
        line("A4", age: "under_18", rate: "9.00"),
        line("A5", type: "agency", rate: "12.00"),
        line("A6", contract: "zero_hours", rate: "13.45", hours: "0", sex: "male"),
        line("A7", contract: "casual", rate: "15.1234", hours: "12"),
        line("A8", contract: "intern", rate: "13.00", hours: "16", sex: "female"),
    ]

    @discardableResult
    func submit(
        _ employer: Int64, _ lines: [String], recognition: Bool? = nil, period: String = "2026-Q3"
    ) async throws -> SubmissionResult {
        let recognitionJSON = recognition.map { ", \"recognition_agreement\": \($0)" } ?? ""
        let header = Data(
            """
            {"period": "\(period)", "headcount": \(lines.count),
             "attestations": {"sick_pay_waiting_days": 0\(recognitionJSON)}}
            """.utf8)
        let outcome = try await fixture.returns.submit(
            ReturnSubmission(employerID: employer, submittedBy: "payroll@example.org", header: header),
            csv: ReturnText.chunks(([Self.columns] + lines).joined(separator: "\r\n") + "\r\n", size: 64))
        guard case .accepted(let result) = outcome else {
            Issue.record("expected the return to be accepted, got \(outcome)")
            throw CharterStoreError(.invalid, "rejected")
        }
        return result
    }

    var outcomes: Outcomes { Outcomes(pool: fixture.pool) }
    var store: OutcomeStore { OutcomeStore(pool: fixture.pool) }

    @Test func theKeptFiguresAreTheTallysAndTheBackfillsAlike() async throws {
        let employer = try await fixture.newEmployer()
        let version = try await submit(employer, Self.mixed, recognition: true).version.versionID
        let kept = try #require(try await store.figures(versionID: version))
        #expect(kept.figures.lines == 8)
        #expect(kept.figures.directLines == 7)
        #expect(kept.figures.insecureLines == 3)
        #expect(kept.figures.directZeroHours == 1)
        #expect(kept.figures.directLowHours == 2)  // 0 and 12 hours; 16 is not low
        #expect(kept.figures.rlwRatesUK == [134_400, 134_500, 151_234])
        #expect(kept.figures.rlwRatesLondon == [140_000])
        #expect(kept.figures.maleRates == [134_500, 140_000])
        #expect(kept.figures.femaleRates == [90_000, 130_000, 134_400])
        #expect(kept.figures.recognitionAgreement == true)
        #expect(kept.belowRLW == 2)  // £13.44 outside London, £14.00 in London

        // The migration's backfill, run over the same lines, gives the same row.
        try await fixture.pool.withConnection { connection in
            try await connection.execute("DELETE FROM outcome_figures WHERE return_version_id = \(version)")
            _ = try await connection.query("SELECT backfill_outcome_figures()")
        }
        let backfilled = try #require(try await store.figures(versionID: version))
        #expect(backfilled.figures == kept.figures)
        #expect(backfilled.belowRLW == kept.belowRLW)
    }

    @Test func retentionLeavesTheFiguresAsTheyWere() async throws {
        for index in 1...3 {
            let employer = try await fixture.newEmployer("Employer \(index)")
            try await submit(employer, Self.mixed + [Self.line("B\(index)", rate: "20", sex: "male")])
        }
        let before = try #require(try await outcomes.report(period: Self.period))
        // What retention does to a period: its worker lines deleted, the versions marked.
        try await fixture.pool.withConnection { connection in
            try await connection.execute(
                """
                DELETE FROM worker_lines WHERE return_version_id IN (
                    SELECT v.id FROM return_versions v JOIN returns r ON r.id = v.return_id
                    WHERE r.period = \(Self.period.description))
                """)
            try await connection.execute("UPDATE return_versions SET lines_purged_at = now()")
        }
        #expect(try await fixture.count("SELECT count(*) FROM worker_lines") == 0)
        let after = try #require(try await outcomes.report(period: Self.period))
        #expect(after == before)
        #expect(after.current.region[.lines] == 27)
        #expect(after.current.region[.belowRLW] == 6)
    }

    @Test func correctingARateMovesBelowRLW() async throws {
        let employer = try await fixture.newEmployer()
        let version = try await submit(employer, [Self.line("W1", rate: "13.50"), Self.line("W2", rate: "13.60")])
            .version.versionID
        #expect(try await store.figures(versionID: version)?.belowRLW == 0)
        let rates = RateStore(pool: fixture.pool)
        let held = try #require(try await rates.table().realLivingWage.first { $0.rateYear == "2025-26" })
        var corrected = held
        corrected.uk = Decimal(string: "13.55")!
        let moved = try await rates.add(corrected, actor: "test", correcting: true)
        #expect(moved == 1)
        #expect(try await store.figures(versionID: version)?.belowRLW == 1)
        #expect(try await outcomes.period(Self.period).region[.belowRLW] == 1)
        #expect(
            try await fixture.count("SELECT count(*) FROM audit_log WHERE action = 'rates.correct'") == 1)
        // A year not held cannot be corrected; one held cannot be added again.
        var unheld = held
        unheld.rateYear = "2031-32"
        await #expect(throws: CharterStoreError.self) { try await rates.add(unheld, actor: "test", correcting: true) }
        await #expect(throws: CharterStoreError.self) { try await rates.add(held, actor: "test") }
    }

    /// A return whose snapshot no Real Living Wage covers (the first rate's deadline is 2024-05-01) is
    /// not judged against one: its lines are in neither side of the share, which is then no figure at
    /// all rather than 0 %.
    @Test func withoutARateInForceTheShareBelowTheRealLivingWageIsNotZero() async throws {
        let employer = try await fixture.newEmployer()
        let version = try await submit(employer, [Self.line("W1", rate: "11.00")], period: "2024-Q1").version
        #expect(try await store.figures(versionID: version.versionID)?.belowRLW == nil)
        let figures = try await outcomes.period(try #require(ReportingPeriod("2024-Q1"))).region
        #expect(figures[.belowRLW] == 0)
        #expect(figures[.rlwInScope] == 0)
        #expect(figures[.belowRLWShare] == nil)
    }

    @Test func anAmendedReturnCountsOnceAndAnEmployerWithoutAReturnNotAtAll() async throws {
        let amended = try await fixture.newEmployer("Amended Ltd")
        try await submit(amended, [Self.line("W1", rate: "10")])
        try await submit(amended, [Self.line("W1"), Self.line("W2"), Self.line("W3", rate: "13.00")])
        let other = try await fixture.newEmployer("Other Ltd")
        try await submit(other, [Self.line("X1")])
        _ = try await fixture.newEmployer("Silent Ltd")
        let earlier = try await fixture.newEmployer("Earlier Ltd")
        try await submit(earlier, [Self.line("E1")], period: "2026-Q2")

        let report = try #require(try await outcomes.report(period: Self.period))
        #expect(report.current.region[.employersReporting] == 2)
        #expect(report.current.region[.lines] == 4)
        #expect(report.current.region[.belowRLW] == 1)
        #expect(report.trend.map(\.period.description) == ["2026-Q2", "2026-Q3"])
        #expect(report.previous?.region[.employersReporting] == 1)
        #expect(try await outcomes.report()?.period == Self.period)
        #expect(try await outcomes.employer(amended, period: Self.period)?[.lines] == 3)
        #expect(try await outcomes.report(period: Self.period, employerIDs: [other])?.current.region[.lines] == 1)
    }
}

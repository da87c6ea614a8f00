import CharterDomain
import CharterStore
import Foundation
import PGClient
import Testing

@testable import CharterUseCases

/// The SQL that computes a batch's figures must agree with the reference implementation in the
/// domain (`ReturnFigures(lines:criteria:)`) on every figure, for lines around every cut-off.
@Suite("Return figures in SQL", .timeLimit(.minutes(10)))
struct ReturnFiguresQueryTests {
    let fixture: StoreFixture
    init() async throws { fixture = try await StoreFixture("figures") }

    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        mutating func pick<T>(_ values: [T]) -> T { values[next(values.count)] }
    }

    static func csv(_ lines: [String]) -> String {
        let columns = WorkerLineColumn.allCases.map(\.rawValue).joined(separator: ",")
        return ([columns] + lines).joined(separator: "\n") + "\n"
    }

    /// Random but valid lines whose rates, hours and dates fall on both sides of each threshold.
    static func randomLines(count: Int, seed: UInt64) -> [String] {
        var g = Generator(state: seed)
        let dates = [
            "2020-01-01", "2026-06-01", "2026-07-07", "2026-07-08", "2026-07-09", "2026-03-31", "2026-04-01",
            "2025-09-30", "2025-10-01", "2026-09-30",
        ]
        return (0..<count).map { index in
            let employment = g.pick(["direct", "direct", "direct", "agency", "contractor"])
            let contract = g.pick([
                "permanent", "fixed_term", "zero_hours", "casual", "apprentice", "intern", "volunteer",
            ])
            let band = g.pick(["under_18", "18", "19_20", "21_plus"])
            let rate = g.pick(["7.99", "8.00", "10.85", "12.70", "12.71", "13.44", "13.45", "14.79", "14.80", "20"])
            let overtime = g.pick(["", "", "12.00", "15.00"])
            let contracted = contract == "zero_hours" ? "0" : g.pick(["8", "15.99", "16", "30", "37.5"])
            let actual = g.pick(["", "12", "20", "33.99", "34", "41.5"])
            var fields: [String: String] = [
                "worker_ref": "R\(index)", "employment_type": employment, "contract_type": contract, "age_band": band,
                "apprentice_first_year": contract == "apprentice" ? g.pick(["yes", "no"]) : "",
                "workplace_london": g.pick(["yes", "no"]), "hourly_rate": rate, "overtime_rate": overtime,
                "contracted_hours": contracted, "avg_actual_hours_12w": actual,
                "zhc_by_request": contract == "zero_hours" ? g.pick(["yes", "no"]) : g.pick(["", "yes", "no"]),
                "fewer_hours_by_request": g.pick(["", "yes", "no"]), "start_date": g.pick(dates),
                "last_hours_review": g.pick(["", "2026-03-31", "2026-04-01", "2026-07-01"]),
                "guaranteed_hours_offered": g.pick(["", "2025-09-30", "2025-10-01", "2026-10-01"]),
                "shifts_scheduled": String(g.next(60)), "shifts_short_notice": String(g.next(5)),
                "agency_parity": employment == "agency" ? g.pick(["", "yes", "no"]) : "",
                "sex": g.pick(["", "male", "female"]),
            ]
            let cancelled = g.next(4)
            fields["shifts_cancelled_short_notice"] = String(cancelled)
            fields["shifts_cancelled_paid"] = String(g.next(cancelled + 1))
            return WorkerLineColumn.allCases.map { fields[$0.rawValue] ?? "" }.joined(separator: ",")
        }
    }

    /// Submits `text` as a new employer's 2026-Q3 return and runs the grouped pass over it: the criteria
    /// it was measured with and the figures PostgreSQL computed.
    func figuresInSQL(of text: String, headcount: Int, employer name: String) async throws -> (
        criteria: ReturnFigures.Criteria, figures: ReturnFigures
    ) {
        let employer = try await fixture.newEmployer(name)
        // Pledged, so the submission keeps the figures the nightly run will judge it by.
        _ = try await PledgeStore(pool: fixture.pool).add(
            employerID: employer, tier: .accredited, livingHours: false, overrides: PledgeOverrides(),
            validFrom: CalendarDate(iso: "2025-01-01")!, validTo: nil, actor: "test")
        let outcome = try await fixture.returns.submit(
            ReturnSubmission(employerID: employer, submittedBy: "t", header: ReturnText.header(headcount: headcount)),
            csv: ReturnText.chunks(text))
        guard case .accepted(let result) = outcome else {
            throw CharterStoreError(.invalid, "the lines were rejected: \(outcome)")
        }
        let rates = try await RateStore(pool: fixture.pool).table()
        let version = try #require(
            try await CharterVersionStore(pool: fixture.pool).version(
                id: try await fixture.pool.withConnection {
                    try await $0.query("SELECT id FROM charter_versions")[0].decode(Int64.self, at: 0)
                }))
        let criteria = try ReturnFigures.Criteria(
            snapshot: ReportingPeriod("2026-Q3")!.snapshot,
            parameters: EvaluationInput.effectiveParameters(of: version, overrides: PledgeOverrides()), rates: rates)
        let sql = try await fixture.pool.withConnection {
            try await ReturnFiguresQuery.figures(for: [result.version.versionID], criteria: criteria, on: $0)
        }
        return (criteria, try #require(sql[result.version.versionID]))
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func sqlAgreesWithTheReferenceFigures(seed: UInt64) async throws {
        let text = Self.csv(Self.randomLines(count: 800, seed: seed))
        let (criteria, computed) = try await figuresInSQL(of: text, headcount: 800, employer: "Figures \(seed)")
        var reader = WorkerLineCSVReader(snapshot: criteria.snapshot)
        var lines: [WorkerLine] = []
        reader.consume(Array(text.utf8)) { lines.append($0) }
        reader.finish(headcount: nil) { lines.append($0) }
        let reference = ReturnFigures(lines: lines, criteria: criteria)
        #expect(computed.belowMinimumWage == reference.belowMinimumWage)
        #expect(computed.belowRealLivingWage == reference.belowRealLivingWage)
        #expect(computed.belowUpcomingRealLivingWage == reference.belowUpcomingRealLivingWage)
        #expect(computed.zeroHoursWithoutConsent == reference.zeroHoursWithoutConsent)
        #expect(computed.belowLivingHours == reference.belowLivingHours)
        #expect(computed.hoursNotReflected == reference.hoursNotReflected)
        #expect(computed.reviewOverdue == reference.reviewOverdue)
        #expect(computed.agencyWithoutParity == reference.agencyWithoutParity)
        #expect(computed == reference)
        #expect(reference.belowRealLivingWage.count > 0 && reference.reviewOverdue.count > 0)
    }

    /// The figures a submission keeps, worked out line by line as the lines streamed in, are the ones the
    /// SQL works out from the stored lines, filed under the criteria the nightly run judges the return by.
    @Test(arguments: [UInt64(4), 5])
    func theFiguresKeptAtSubmissionAreTheSQLFigures(seed: UInt64) async throws {
        let text = Self.csv(Self.randomLines(count: 3_000, seed: seed))
        let (criteria, computed) = try await figuresInSQL(of: text, headcount: 3_000, employer: "Kept \(seed)")
        let kept = try await fixture.pool.withConnection { connection in
            let version = try await connection.query(
                """
                SELECT v.id FROM return_versions v JOIN returns r ON r.id = v.return_id
                JOIN employers e ON e.id = r.employer_id WHERE e.name = \("Kept \(seed)")
                """)[0].decode(Int64.self, column: "id")
            return try await ReturnFiguresStore.figures(for: [version], criteria: criteria, on: connection)[version]
        }
        #expect(kept == computed)
        #expect((kept?.belowRealLivingWage.count ?? 0) > WorkerGroup.maximumRefs)
    }
    /// More workers in a group than evidence names: the first 100 references in byte order
    /// (`R10` before `R2`), however the lines were stored, with the count of them all.
    @Test func aLargeGroupNamesItsFirstHundredReferencesInByteOrder() async throws {
        let lines = (0..<300).reversed().map { index in
            let fields: [String: String] = [
                "worker_ref": "R\(index)", "employment_type": "direct", "contract_type": "permanent",
                "age_band": "21_plus", "workplace_london": "no", "hourly_rate": index % 3 == 0 ? "15.00" : "13.00",
                "contracted_hours": "37.5", "start_date": "2024-01-01", "last_hours_review": "2026-07-01",
                "shifts_scheduled": "10", "shifts_short_notice": "0", "shifts_cancelled_short_notice": "0",
                "shifts_cancelled_paid": "0",
            ]
            return WorkerLineColumn.allCases.map { fields[$0.rawValue] ?? "" }.joined(separator: ",")
        }
        let (_, figures) = try await figuresInSQL(of: Self.csv(lines), headcount: 300, employer: "Figures refs")
        let group = figures.belowRealLivingWage
        let below = (0..<300).filter { $0 % 3 != 0 }.map { "R\($0)" }
        #expect(group.count == 200)
        #expect(group.workerRefs == Array(below.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.prefix(100)))
        #expect(group.workerRefs.prefix(3) == ["R1", "R10", "R100"])
        #expect(group.lowestRate == Decimal(string: "13.00"))
    }
}

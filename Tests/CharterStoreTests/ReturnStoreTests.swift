import CharterDomain
import CharterStore
import Foundation
import PGClient
import TestSupport
import Testing

@Suite("Quarterly returns in the store", .timeLimit(.minutes(10)))
struct ReturnStoreTests {
    let fixture: StoreFixture
    init() async throws { fixture = try await StoreFixture("returns") }

    func submit(
        _ employer: Int64, _ lines: [String], headcount: Int? = nil, key: String? = nil, extra: String = ""
    ) async throws -> SubmissionOutcome {
        try await fixture.returns.submit(
            ReturnSubmission(
                employerID: employer, period: ReportingPeriod("2026-Q3"), submittedBy: "payroll@example.org",
                header: ReturnText.header(headcount: headcount ?? lines.count, extra: extra), idempotencyKey: key),
            csv: ReturnText.chunks(ReturnText.csv(lines), size: 97))
    }

    func accepted(_ outcome: SubmissionOutcome) throws -> SubmissionResult {
        guard case .accepted(let result) = outcome else {
            Issue.record("expected the return to be accepted, got \(outcome)")
            throw CharterStoreError(.invalid, "rejected")
        }
        return result
    }

    @Test func aFirstSubmissionIsVersionOneWithItsLinesAndAnAuditRow() async throws {
        let employer = try await fixture.newEmployer()
        let result = try accepted(try await submit(employer, (1...250).map { ReturnText.line("W\($0)") }))
        #expect(result.status == .created)
        #expect(result.version.version == 1)
        #expect(result.version.lineCount == 250)
        #expect(result.version.changes.previousVersion == nil)
        #expect(result.version.contentHash.count == 64)
        #expect(result.version.dueDate == CalendarDate(iso: "2026-10-30"))
        #expect(try await fixture.count("SELECT count(*) FROM worker_lines") == 250)
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM audit_log WHERE action = 'return.submit' AND entity_id = \(String(result.version.versionID))"
            ) == 1)
    }

    @Test func anAmendmentIsANewVersionWithWhatChanged() async throws {
        let employer = try await fixture.newEmployer()
        let first = (1...10).map { ReturnText.line("W\($0)") }
        _ = try accepted(try await submit(employer, first))
        // W1 paid more, W10 gone, W11 new; headcount changed too.
        var second = first
        second[0] = ReturnText.line("W1", rate: "14.10")
        second.removeLast()
        second.append(ReturnText.line("W11"))
        let result = try accepted(try await submit(employer, second, headcount: 11))
        #expect(result.status == .created)
        #expect(result.version.version == 2)
        #expect(result.version.changes.previousVersion == 1)
        #expect(result.version.changes.linesAdded == 1)
        #expect(result.version.changes.linesRemoved == 1)
        #expect(result.version.changes.linesChanged == 1)
        #expect(result.version.changes.headerFields == ["headcount"])

        let history = try await fixture.returns.history(employerID: employer, period: ReportingPeriod("2026-Q3")!)
        #expect(history.map(\.version) == [1, 2])
        let diff = try await fixture.returns.diff(
            employerID: employer, period: ReportingPeriod("2026-Q3")!, from: 1, to: 2)
        let lines = try #require(diff.lines)
        #expect(lines.map(\.workerRef) == ["W1", "W10", "W11"])
        #expect(lines.map(\.kind) == [.changed, .removed, .added])
        #expect(lines[0].columns.map(\.column) == ["hourly_rate"])
        #expect(lines[0].columns.first?.old == "13.5000")
        #expect(lines[0].columns.first?.new == "14.1000")
        #expect(diff.headerFields == ["headcount"])

        // A rep gets the counts, suppressed, and the header fields; never a line.
        let reps = diff.forReps()
        #expect(reps.lines == nil)
        #expect(reps.linesChanged == .fewerThanFive)
        #expect(reps.headerFields == ["headcount"])
        #expect(reps.to.lineCount == 10)
        #expect(reps.to.changes.linesAdded == .fewerThanFive)
        // Dates as ISO 8601: as seconds they hold digits such as "…814.12", which "14.1" would match.
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let json = String(decoding: try encoder.encode(reps), as: UTF8.self)
        #expect(!json.contains("W1") && !json.contains("14.1") && !json.contains("worker_ref"), "\(json)")
    }

    /// SPEC §2: a return is accepted only once its period's snapshot date has passed in Europe/London;
    /// the day after the snapshot it is. A refusal names the period and the first day, and stores nothing.
    @Test func aReturnForAPeriodThatHasNotEndedIsRefusedUntilTheDayAfterItsSnapshot() async throws {
        let employer = try await fixture.newEmployer()
        func submit(at now: String, csv: Bool = true) async throws -> SubmissionOutcome {
            let clock = ISO8601DateFormatter().date(from: now)!
            let submission = ReturnSubmission(
                employerID: employer, period: ReportingPeriod("2026-Q3"), submittedBy: "payroll@example.org",
                header: ReturnText.header(headcount: 1))
            let store = ReturnStore(pool: fixture.pool, now: { clock })
            guard csv else { return try await store.submit(submission) }
            return try await store.submit(
                submission, csv: ReturnText.chunks(ReturnText.csv([ReturnText.line("W1")])))
        }
        // 30 September 2026 is the snapshot; 1 October starts at 23:00 UTC on the 30th (BST).
        for (now, csv) in [("2026-09-30T22:59:59Z", true), ("2026-09-30T12:00:00Z", false)] {
            guard case .rejected(let report) = try await submit(at: now, csv: csv) else {
                Issue.record("a return on the snapshot day was accepted")
                return
            }
            #expect(report.errors.map(\.column) == ["period"])
            #expect(report.errors.first?.message.contains("can be sent from 2026-10-01") == true)
        }
        #expect(try await fixture.count("SELECT count(*) FROM returns") == 0)
        #expect(try await fixture.count("SELECT count(*) FROM return_versions") == 0)
        #expect(try await fixture.count("SELECT count(*) FROM worker_lines") == 0)
        let result = try accepted(try await submit(at: "2026-09-30T23:00:00Z"))
        #expect(result.version.version == 1)
    }

    @Test func theSameContentAgainStoresNothingNewEvenInAnotherOrder() async throws {
        let employer = try await fixture.newEmployer()
        let lines = (1...20).map { ReturnText.line("W\($0)") }
        let first = try accepted(try await submit(employer, lines))
        let again = try accepted(try await submit(employer, lines))
        #expect(again.status == .unchanged)
        #expect(again.version.version == 1)
        #expect(again.version.contentHash == first.version.contentHash)
        let reordered = try accepted(try await submit(employer, lines.reversed()))
        #expect(reordered.status == .unchanged)
        #expect(try await fixture.count("SELECT count(*) FROM return_versions") == 1)
        #expect(try await fixture.count("SELECT count(*) FROM worker_lines") == 20)
    }

    @Test func aRepeatedIdempotencyKeyGetsTheFirstAnswer() async throws {
        let employer = try await fixture.newEmployer()
        let lines = (1...5).map { ReturnText.line("W\($0)") }
        let first = try accepted(try await submit(employer, lines, key: "payroll-run-2026-10-03"))
        let repeated = try accepted(try await submit(employer, lines, key: "payroll-run-2026-10-03"))
        #expect(repeated.replayed)
        #expect(repeated.status == .created)
        #expect(repeated.version == first.version)
        // The same key for different content is refused, and nothing is stored.
        await #expect(throws: CharterStoreError.self) {
            _ = try await submit(employer, lines + [ReturnText.line("W6")], key: "payroll-run-2026-10-03")
        }
        #expect(try await fixture.count("SELECT count(*) FROM return_versions") == 1)
    }

    @Test func aReturnWithErrorsIsRejectedWholeAndStoresNothing() async throws {
        let employer = try await fixture.newEmployer()
        var lines = (1...300).map { ReturnText.line("W\($0)") }
        lines[9] = ReturnText.line("W10", rate: "twelve")  // line 11
        lines[199] = ReturnText.line("W200", hours: "140")  // line 201
        lines[289] = ReturnText.line("W1")  // line 291: duplicate reference
        guard case .rejected(let report) = try await submit(employer, lines) else {
            Issue.record("a return with errors was accepted")
            return
        }
        #expect(report.totalErrors == 4)  // hours 140 is wrong twice: contracted and actual
        #expect(report.errors.map(\.line) == [11, 201, 201, 291])
        #expect(
            report.errors.map(\.column) == ["hourly_rate", "contracted_hours", "avg_actual_hours_12w", "worker_ref"])
        for table in ["returns", "return_versions", "worker_lines", "contractors", "idempotency_keys"] {
            #expect(try await fixture.count("SELECT count(*) FROM \(identifier: table)") == 0, "\(table)")
        }
        #expect(try await fixture.count("SELECT count(*) FROM audit_log WHERE entity = 'return_version'") == 0)
    }

    @Test func aJSONReturnGoesThroughTheSameChecks() async throws {
        let employer = try await fixture.newEmployer()
        let line = """
            {"worker_ref": "J1", "employment_type": "direct", "contract_type": "zero_hours", "age_band": "18",
             "workplace_london": false, "hourly_rate": 12.6, "contracted_hours": 0, "avg_actual_hours_12w": 11.5,
             "zhc_by_request": true, "start_date": "2025-01-06", "shifts_scheduled": 40, "shifts_short_notice": 1,
             "shifts_cancelled_short_notice": 0, "shifts_cancelled_paid": 0}
            """
        let good = try await fixture.returns.submit(
            ReturnSubmission(
                employerID: employer, submittedBy: "api",
                header: ReturnText.header(headcount: 1, extra: ", \"lines\": [\(line)]")))
        let result = try accepted(good)
        #expect(result.version.source == "json")
        #expect(result.version.lineCount == 1)

        let bad = line.replacingOccurrences(of: "\"hourly_rate\": 12.6", with: "\"hourly_rate\": -3")
        let outcome = try await fixture.returns.submit(
            ReturnSubmission(
                employerID: employer, submittedBy: "api",
                header: ReturnText.header(headcount: 2, extra: ", \"lines\": [\(line), \(bad)]")))
        guard case .rejected(let report) = outcome else {
            Issue.record("a negative rate was accepted")
            return
        }
        #expect(report.errors.map(\.line) == [2, 2])  // the bad line and the duplicate J1
        #expect(report.errors.map(\.column) == ["worker_ref", "hourly_rate"])
        #expect(try await fixture.count("SELECT count(*) FROM return_versions") == 1)
    }
}

/// In a database of its own: ending "the" COPY backend must not end another test's.
@Suite("A return interrupted mid-COPY", .timeLimit(.minutes(10)))
struct InterruptedReturnTests {
    let fixture: StoreFixture
    init() async throws { fixture = try await StoreFixture("returnskill") }

    @Test func aConnectionKilledMidCopyLeavesNoVersion() async throws {
        let employer = try await fixture.newEmployer()
        let text = ReturnText.csv((1...20_000).map { ReturnText.line("W\($0)") })
        let conninfo = fixture.conninfo
        let chunks = KillingChunks(bytes: Array(text.utf8), conninfo: conninfo)
        await #expect(throws: PGError.self) {
            _ = try await fixture.returns.submit(
                ReturnSubmission(
                    employerID: employer, period: ReportingPeriod("2026-Q3"), submittedBy: "payroll",
                    header: ReturnText.header(headcount: 20_000)),
                csv: chunks)
        }
        #expect(try await fixture.count("SELECT count(*) FROM return_versions") == 0)
        #expect(try await fixture.count("SELECT count(*) FROM worker_lines") == 0)
        // The pool threw the broken connection away: the next submission works.
        let outcome = try await fixture.returns.submit(
            ReturnSubmission(
                employerID: employer, submittedBy: "payroll", header: ReturnText.header(headcount: 1)),
            csv: ReturnText.chunks(ReturnText.csv([ReturnText.line("W1")])))
        guard case .accepted(let result) = outcome else {
            Issue.record("the retry was not accepted: \(outcome)")
            return
        }
        #expect(result.version.version == 1)
    }
}

/// A CSV upload that, after its first 300 KB, has the server end the backend running the COPY.
struct KillingChunks: AsyncSequence {
    typealias Element = [UInt8]
    let bytes: [UInt8]
    let conninfo: String

    struct AsyncIterator: AsyncIteratorProtocol {
        let bytes: [UInt8]
        let conninfo: String
        var offset = 0
        var killed = false

        mutating func next() async throws -> [UInt8]? {
            guard offset < bytes.count else { return nil }
            if offset >= 300_000 && !killed {
                killed = true
                let terminated = try await PGConnection.with(conninfo) { admin in
                    try await admin.query(
                        """
                        SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
                        WHERE query LIKE 'COPY worker_lines%' AND datname = current_database() AND pid <> pg_backend_pid()
                        """
                    ).count
                }
                guard terminated == 1 else { throw CharterStoreError(.notFound, "no COPY backend to kill") }
            }
            let end = Swift.min(offset + 50_000, bytes.count)
            defer { offset = end }
            return Array(bytes[offset..<end])
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes, conninfo: conninfo) }
}

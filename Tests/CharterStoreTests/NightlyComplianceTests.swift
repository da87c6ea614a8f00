import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import PGClient
import TestSupport
import Testing

@Suite("The nightly compliance run", .timeLimit(.minutes(10)))
struct NightlyComplianceTests {
    let fixture: StoreFixture
    init() async throws { fixture = try await StoreFixture("nightly") }

    static let columns =
        "worker_ref,employment_type,contract_type,age_band,workplace_london,hourly_rate,contracted_hours,"
        + "avg_actual_hours_12w,zhc_by_request,start_date,shifts_scheduled,shifts_short_notice,"
        + "shifts_cancelled_short_notice,shifts_cancelled_paid,last_hours_review"

    /// A clean direct worker paid `rate` (the 2025-26 Real Living Wage, 13.45, is in force at 2026-09-30).
    static func line(_ ref: String, rate: String = "14.00", contract: String = "permanent", hours: String = "37.5")
        -> String
    {
        let consent = contract == "zero_hours" ? "no" : ""
        return
            "\(ref),direct,\(contract),21_plus,no,\(rate),\(hours),\(hours),\(consent),2021-03-01,60,1,1,1,2026-08-01"
    }

    /// A header with every attestation in good order, so only what a test changes is flagged.
    static let goodHeader = """
        {"period": "2026-Q3", "headcount": 20, "attestations": {
          "hs_policy_reviewed_on": "2026-02-01", "equality_audit_on": "2026-03-01",
          "union_right_notice_on": "2026-01-10", "recognition_agreement": true, "union_requests": [],
          "sick_pay_waiting_days": 0, "flexible_working_day_one": true, "apprentices": 2, "work_placements": 1,
          "rlw_plan_target": "2027-01-01"}}
        """

    func pledgedEmployer(tier: String = "accredited") async throws -> Int64 {
        let employer = try await fixture.newEmployer()
        _ = try await PledgeStore(pool: fixture.pool).add(
            employerID: employer, tier: Tier(rawValue: tier)!, livingHours: false, overrides: PledgeOverrides(),
            validFrom: CalendarDate(iso: "2025-01-01")!, validTo: nil, actor: "test")
        return employer
    }

    func submit(_ employer: Int64, _ lines: [String], header: String = goodHeader) async throws {
        let outcome = try await fixture.returns.submit(
            ReturnSubmission(employerID: employer, submittedBy: "payroll", header: Data(header.utf8)),
            csv: ReturnText.chunks(([Self.columns] + lines).joined(separator: "\n") + "\n"))
        guard case .accepted = outcome else {
            Issue.record("return not accepted: \(outcome)")
            return
        }
    }

    func flags(_ employer: Int64) async throws -> [String: String] {
        var result: [String: String] = [:]
        for row in try await fixture.pool.withConnection({
            try await $0.query("SELECT standard_id, state FROM flags WHERE employer_id = \(employer)")
        }) {
            result[try row.decode(String.self, column: "standard_id")] = try row.decode(String.self, column: "state")
        }
        return result
    }

    /// The evidence of `employer`'s flag on `standard`, as JSON text.
    func evidence(_ employer: Int64, _ standard: String) async throws -> String {
        try await fixture.pool.withConnection {
            try await $0.query(
                "SELECT evidence::text AS e FROM flags WHERE employer_id = \(employer) AND standard_id = \(standard)"
            )[0].decode(String.self, column: "e")
        }
    }

    var nightly: NightlyCompliance { NightlyCompliance(pool: fixture.pool) }
    let asOf = CalendarDate(iso: "2026-11-01")!

    @Test func breachesAreFlaggedOnceClearedWhenFixedAndReopenedWhenBack() async throws {
        let employer = try await pledgedEmployer()
        var lines = (1...20).map { Self.line("W\($0)") }
        lines[0] = Self.line("W1", rate: "13.20")  // below the Real Living Wage
        try await submit(employer, lines)

        let first = try await nightly.run(asOf: asOf)
        #expect(first.returnsEvaluated == 1)
        #expect(first.errors.isEmpty)
        #expect(try await flags(employer)["pay.real-living-wage"] == "open")
        let evidence = try await evidence(employer, "pay.real-living-wage")
        #expect(evidence.contains("W1"))
        #expect(evidence.contains("13.45"))

        // Where the time went: a pass over the lines, judging and writing (the run's log line says it).
        #expect(first.timings.figures > 0 && first.timings.judging > 0 && first.timings.writing > 0)

        // Again with nothing new: nothing changes, and no pass over the lines is made.
        let again = try await nightly.run(asOf: asOf)
        #expect(again.returnsEvaluated == 0)
        #expect(again.changes.isEmpty)
        #expect(again.timings.figures == 0 && again.timings.writing == 0)

        // An amendment pays W1 properly: the flag clears.
        lines[0] = Self.line("W1", rate: "13.50")
        try await submit(employer, lines)
        let fixed = try await nightly.run(asOf: asOf)
        #expect(fixed.returnsEvaluated == 1)
        #expect(fixed.changes.contains { $0.kind == .cleared && $0.standardID == "pay.real-living-wage" })
        #expect(try await flags(employer)["pay.real-living-wage"] == "cleared")

        // A later amendment brings it back: the same flag reopens, with its history.
        lines[0] = Self.line("W1", rate: "13.00")
        try await submit(employer, lines)
        let back = try await nightly.run(asOf: asOf)
        #expect(back.changes.contains { $0.kind == .reopened && $0.standardID == "pay.real-living-wage" })
        let flagID = Int64(
            try await fixture.count(
                "SELECT id::int FROM flags WHERE employer_id = \(employer) AND standard_id = 'pay.real-living-wage'"))
        let events = try #require(try await FlagStore(pool: fixture.pool).flag(id: flagID)).events
        let history = events.map { "\($0.kind.rawValue)→\($0.toState?.rawValue ?? "")" }
        // Each entry its own id, in the order they were made, the opening (kept on the flag) first.
        #expect(events.map(\.id) == events.map(\.id).sorted() && Set(events.map(\.id)).count == events.count)
        #expect(events.first?.actor == "nightly-compliance")
        #expect(history == ["opened→open", "transition→cleared", "transition→open"])
        #expect(try await fixture.count("SELECT count(*) FROM flags WHERE standard_id = 'pay.real-living-wage'") == 1)
    }

    /// A return no pledge covers is not judged; a batch made only of such returns has no group to read the
    /// next batch with, and the returns after it are still read and judged.
    @Test func aBatchOfReturnsNoPledgeCoversDoesNotStopTheRun() async throws {
        for index in 0..<3 {
            let unpledged = try await fixture.newEmployer()
            try await submit(unpledged, (1...20).map { Self.line("U\(index)W\($0)") })
        }
        let employer = try await pledgedEmployer()
        var lines = (1...20).map { Self.line("W\($0)") }
        lines[0] = Self.line("W1", rate: "12.00")
        try await submit(employer, lines)
        var nightly = self.nightly
        nightly.batchSize = 3
        let run = try await nightly.run(asOf: asOf)
        #expect(run.returnsEvaluated == 1)
        #expect(run.errors.isEmpty)
        #expect(try await flags(employer)["pay.real-living-wage"] == "open")
    }

    /// Enough returns that the run reads, judges and encodes them on several cores and in more than one
    /// batch: each employer's flag is about its own return and workers, with its opening as its history;
    /// judging every return again finds every flag as it is; a second run changes nothing.
    @Test func aLargeRunGivesEveryEmployerItsOwnFlags() async throws {
        var employers: [Int64: Int] = [:]
        for index in 0..<150 {
            let employer = try await pledgedEmployer()
            employers[employer] = index
            var lines = (1...20).map { Self.line("E\(index)W\($0)") }
            lines[index % 20] = Self.line("E\(index)W\(index % 20 + 1)", rate: "13.20")
            try await submit(employer, lines)
        }
        var nightly = self.nightly
        nightly.batchSize = 100
        let first = try await nightly.run(asOf: asOf)
        #expect(first.returnsEvaluated == 150)
        #expect(first.errors.isEmpty)
        let rows = try await fixture.pool.withConnection {
            try await $0.query(
                """
                SELECT f.employer_id, f.evidence->'worker_refs'->>0 AS ref,
                       (f.evidence->>'return_version_id')::bigint AS version, f.return_version_id,
                       (SELECT count(*) FROM flag_events e WHERE e.flag_id = f.id) AS events,
                       f.opened_by, f.opened_event_id
                FROM flags f WHERE f.standard_id = 'pay.real-living-wage'
                """)
        }
        #expect(rows.count == 150)
        for row in rows {
            let index = try #require(employers[try row.decode(Int64.self, column: "employer_id")])
            #expect(try row.decode(String?.self, column: "ref") == "E\(index)W\(index % 20 + 1)")
            #expect(
                try row.decode(Int64?.self, column: "version") == row.decode(Int64?.self, column: "return_version_id"))
            // Opened by the run, the opening kept on the flag: nothing else in its history yet.
            #expect(try row.decode(Int.self, column: "events") == 0)
            #expect(try row.decode(String?.self, column: "opened_by") == "nightly-compliance")
            #expect(try row.decode(Int64?.self, column: "opened_event_id") != nil)
        }
        let opened = try await fixture.count("SELECT count(*) FROM flags")
        #expect(try await fixture.count("SELECT count(DISTINCT opened_event_id) FROM flags") == opened)
        let someFlag = Int64(try await fixture.count("SELECT min(id)::int FROM flags"))
        #expect(
            try #require(try await FlagStore(pool: fixture.pool).flag(id: someFlag)).events.map(\.kind) == [.opened])

        // Judged again from scratch: the same findings, evidence and digests, so nothing to change.
        try await fixture.pool.withConnection { try await $0.execute("DELETE FROM return_evaluations") }
        let again = try await nightly.run(asOf: asOf)
        #expect(again.returnsEvaluated == 150)
        #expect(again.changes.isEmpty)
        #expect(again.flagsUnchanged == first.flagsOpened)
        let nothingNew = try await nightly.run(asOf: asOf)
        #expect(nothingNew.returnsEvaluated == 0)
        #expect(nothingNew.changes.isEmpty)
    }

    /// A rising zero-hours share is judged against the previous period's evaluation, which the same run
    /// writes: however the run cuts the returns into batches (and reads the next batch ahead), every
    /// period's evaluations are written before the next period is judged, and the run decides the same —
    /// whether it reads on a second connection (which cannot see the run's evaluations before it commits:
    /// the shares it judged stand in for them) or on the one it writes on.
    @Test func aRisingZeroHoursShareIsFlaggedWhateverTheBatches() async throws {
        var employers: [Int64] = []
        for _ in 0..<3 {
            let employer = try await pledgedEmployer()
            employers.append(employer)
            let steady = (1...20).map { Self.line("W\($0)") }
            try await submit(
                employer, steady, header: Self.goodHeader.replacingOccurrences(of: "2026-Q3", with: "2026-Q2"))
            var rising = steady
            for index in 0..<4 { rising[index] = Self.line("W\(index + 1)", contract: "zero_hours", hours: "0") }
            try await submit(employer, rising)
        }
        var oneAtATime = nightly
        oneAtATime.batchSize = 1
        let cut = try await oneAtATime.run(asOf: asOf, dryRun: true)
        let whole = try await nightly.run(asOf: asOf, dryRun: true)
        // With a pool too small to lend the run a second connection, it reads on the one it writes on.
        var small = PGPoolConfiguration(conninfo: fixture.conninfo)
        small.maxConnections = 1
        let onePool = PGPool(configuration: small)
        var oneConnection = NightlyCompliance(pool: onePool)
        oneConnection.batchSize = 1
        let alone = try await oneConnection.run(asOf: asOf, dryRun: true)
        await onePool.close()
        #expect(cut.returnsEvaluated == 6 && cut.errors.isEmpty, "\(cut.errors)")
        #expect(cut.changes == whole.changes)
        #expect(alone.changes == whole.changes)
        let trend = cut.changes.filter { $0.standardID == "hours.zero-hours-trend" && $0.kind == .opened }
        #expect(Set(trend.map(\.employerID)) == Set(employers))
        #expect(trend.allSatisfy { $0.period == "2026-Q3" })
    }

    /// An evaluation names a version of its own return: the key (return, version) refuses another's.
    @Test func anEvaluationCannotNameAnotherReturnsVersion() async throws {
        for _ in 0..<2 { try await submit(try await pledgedEmployer(), (1...20).map { Self.line("W\($0)") }) }
        let refused = await #expect(throws: PGError.self) {
            try await fixture.pool.withConnection {
                try await $0.execute(
                    """
                    INSERT INTO return_evaluations (return_id, return_version_id)
                    SELECT (SELECT min(id) FROM returns), (SELECT max(id) FROM return_versions)
                    """)
            }
        }
        #expect(refused?.sqlState == .foreignKeyViolation)
    }

    /// Flags and evaluations name a charter version that exists (checked once a statement since 0025, not
    /// row by row): a statement naming one that does not is refused whole; a version named cannot be deleted,
    /// not even while the transaction naming it is still open; one nobody names can.
    @Test func judgementsNameCharterVersionsThatExistAndKeepThem() async throws {
        try await draft("Unnamed draft", standard: "pay.minimum-wage", params: "{}")
        let employer = try await pledgedEmployer()
        try await submit(employer, (1...20).map { Self.line("W\($0)", rate: "13.00") })
        let run = try await nightly.run(asOf: asOf)
        #expect(run.flagsOpened > 0)
        let named = try await fixture.pool.withConnection {
            try await $0.query("SELECT charter_version_id AS id FROM flags LIMIT 1")[0].decode(Int64.self, column: "id")
        }
        for statement: PGQuery in [
            """
            INSERT INTO flags (employer_id, standard_id, period, state, severity, charter_version_id)
            VALUES (\(employer), 'pay.minimum-wage', '2025-Q1', 'open', 'breach', \(named)),
                   (\(employer), 'pay.minimum-wage', '2025-Q2', 'open', 'breach', 999999)
            """,
            "UPDATE return_evaluations SET charter_version_id = 999999",
            "UPDATE flags SET charter_version_id = 999999 WHERE employer_id = \(employer)",
        ] {
            let refused = await #expect(throws: PGError.self) {
                try await fixture.pool.withConnection { try await $0.execute(statement) }
            }
            #expect(refused?.sqlState == .foreignKeyViolation)
        }
        let kept = try await fixture.pool.withConnection {
            try await $0.query("SELECT count(*) AS n FROM flags WHERE charter_version_id = \(named)")[0]
                .decode(Int.self, column: "n")
        }
        #expect(kept == run.flagsOpened, "nothing of a refused statement is kept")

        let deleting = await #expect(throws: PGError.self) {
            try await fixture.pool.withConnection {
                try await $0.execute("DELETE FROM charter_versions WHERE id = \(named)")
            }
        }
        #expect(deleting?.sqlState == .foreignKeyViolation)

        // A transaction naming the draft holds it: deleting it waits (here: gives up at the lock timeout).
        let writer = try await PGConnection.connect(fixture.conninfo)
        let deleter = try await PGConnection.connect(fixture.conninfo)
        let draftID = try await writer.query("SELECT id FROM charter_versions WHERE label = 'Unnamed draft'")[0]
            .decode(Int64.self, column: "id")
        try await writer.simpleQuery("BEGIN")
        try await writer.execute("UPDATE flags SET charter_version_id = \(draftID) WHERE employer_id = \(employer)")
        try await deleter.simpleQuery("SET lock_timeout = '300ms'")
        let waited = await #expect(throws: PGError.self) {
            try await deleter.execute("DELETE FROM charter_versions WHERE id = \(draftID)")
        }
        #expect(waited?.sqlState?.rawValue == "55P03", "the delete waited on the writer's lock")
        try await writer.simpleQuery("ROLLBACK")
        // As with a foreign key, a write that leaves the version as it was locks nothing: a person's action on a
        // flag does not wait for a transaction holding the version.
        try await writer.simpleQuery("BEGIN")
        _ = try await writer.query("SELECT 1 FROM charter_versions WHERE id = \(named) FOR UPDATE")
        try await deleter.execute("UPDATE flags SET state = 'acknowledged' WHERE employer_id = \(employer)")
        try await writer.simpleQuery("ROLLBACK")
        // Named by nothing now: the draft can go.
        try await deleter.execute("DELETE FROM charter_versions WHERE id = \(draftID)")
        #expect(try await deleter.query("SELECT 1 FROM charter_versions WHERE id = \(draftID)").isEmpty)
        await writer.close()
        await deleter.close()
    }

    /// Flags, their events and evaluations name an employer, a return version and a flag that exist (checked
    /// once a statement since 0026, not row by row): a statement naming one that does not is refused whole;
    /// a row named cannot be deleted while the transaction naming it is open, and when it is deleted what
    /// named it goes (an employer's flags and their events, a version's evaluation) or forgets it (a flag
    /// keeps its history but no longer names a deleted version), as the keys' ON DELETE said.
    @Test func judgementsNameRowsThatExistAndGoWithThem() async throws {
        let kept = try await pledgedEmployer()
        let leaving = try await pledgedEmployer()
        for employer in [kept, leaving] {
            try await submit(employer, (1...20).map { Self.line("W\($0)", rate: "13.00") })
        }
        let run = try await nightly.run(asOf: asOf)
        #expect(run.returnsEvaluated == 2 && run.flagsOpened > 0)
        func count(_ query: PGQuery) async throws -> Int {
            try await fixture.pool.withConnection { try await $0.query(query)[0].decode(Int.self, at: 0) }
        }
        let (flagID, versionID) = try await fixture.pool.withConnection {
            let row = try await $0.query(
                "SELECT id, return_version_id FROM flags WHERE employer_id = \(kept) ORDER BY id LIMIT 1")[0]
            return (try row.decode(Int64.self, column: "id"), try row.decode(Int64.self, column: "return_version_id"))
        }
        let before = try await count("SELECT count(*) FROM flags") + count("SELECT count(*) FROM flag_events")
        // A return not judged yet: an evaluation moved onto it would name another return's version.
        try await submit(try await pledgedEmployer(), (1...20).map { Self.line("W\($0)") })
        let unjudged = try await count("SELECT max(id)::int FROM returns")

        for statement: PGQuery in [
            """
            INSERT INTO flags (employer_id, standard_id, period, state, severity)
            VALUES (\(kept), 'pay.minimum-wage', '2025-Q1', 'open', 'breach'),
                   (999999, 'pay.minimum-wage', '2025-Q1', 'open', 'breach')
            """,
            """
            INSERT INTO flags (employer_id, standard_id, period, state, severity, return_version_id)
            VALUES (\(kept), 'pay.minimum-wage', '2025-Q2', 'open', 'breach', 999999)
            """,
            "UPDATE flags SET return_version_id = 999999 WHERE id = \(flagID)",
            "INSERT INTO flag_events (flag_id, actor, kind) VALUES (\(flagID), 'test', 'comment'), (999999, 'test', 'comment')",
            // Another return's version is not this return's.
            """
            UPDATE return_evaluations e SET return_version_id = (SELECT v.id FROM return_versions v
                                                                 WHERE v.return_id <> e.return_id LIMIT 1)
            WHERE e.return_version_id = \(versionID)
            """,
            "UPDATE return_evaluations SET return_id = \(unjudged) WHERE return_version_id = \(versionID)",
            "UPDATE employers SET id = DEFAULT WHERE id = \(kept)",
        ] {
            let refused = await #expect(throws: PGError.self) {
                try await fixture.pool.withConnection { try await $0.execute(statement) }
            }
            #expect(refused?.sqlState == .foreignKeyViolation, "\(statement.sql)")
        }
        #expect(
            try await count("SELECT count(*) FROM flags") + count("SELECT count(*) FROM flag_events") == before,
            "nothing of a refused statement is kept")
        #expect(try await count("SELECT count(*) FROM return_evaluations WHERE return_version_id = \(versionID)") == 1)

        // A transaction naming an employer holds it: deleting the employer waits (here: gives up at the lock
        // timeout), and once the transaction has committed, the delete takes what it wrote with it.
        let writer = try await PGConnection.connect(fixture.conninfo)
        let deleter = try await PGConnection.connect(fixture.conninfo)
        try await deleter.simpleQuery("SET lock_timeout = '300ms'")
        try await writer.simpleQuery("BEGIN")
        try await writer.execute(
            """
            INSERT INTO flags (employer_id, standard_id, period, state, severity)
            VALUES (\(leaving), 'pay.minimum-wage', '2025-Q3', 'open', 'breach')
            """)
        let waited = await #expect(throws: PGError.self) {
            try await deleter.execute("DELETE FROM employers WHERE id = \(leaving)")
        }
        #expect(waited?.sqlState?.rawValue == "55P03", "the delete waited on the writer's lock")
        try await writer.simpleQuery("COMMIT")
        // A write that leaves the names as they were locks nothing: a person acting on a flag does not wait
        // for a transaction holding its employer.
        try await writer.simpleQuery("BEGIN")
        _ = try await writer.query("SELECT 1 FROM employers WHERE id = \(kept) FOR UPDATE")
        try await deleter.execute("UPDATE flags SET state = 'acknowledged' WHERE id = \(flagID)")
        try await writer.simpleQuery("ROLLBACK")

        try await deleter.execute("DELETE FROM employers WHERE id = \(leaving)")
        #expect(try await count("SELECT count(*) FROM flags WHERE employer_id = \(leaving)") == 0)
        // A writer that comes while a delete is open waits for it to end, then finds the employer gone: its
        // statement is refused and nothing of it is kept (the names are checked without row locks since 0027;
        // the deleting side holds the tables that name what it deletes).
        let goneNext = try await pledgedEmployer()
        try await deleter.simpleQuery("BEGIN")
        try await deleter.execute("DELETE FROM employers WHERE id = \(goneNext)")
        let writerPID = try await writer.query("SELECT pg_backend_pid() AS pid")[0].decode(Int32.self, column: "pid")
        let late = Task {
            try await writer.execute(
                """
                INSERT INTO flags (employer_id, standard_id, period, state, severity)
                VALUES (\(goneNext), 'pay.minimum-wage', '2025-Q3', 'open', 'breach')
                """)
        }
        try await eventually("the late writer waits for the delete", within: .seconds(60)) {
            try await count(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = \(writerPID) AND wait_event_type = 'Lock'") == 1
        }
        try await deleter.simpleQuery("COMMIT")
        let refusedLate = await #expect(throws: PGError.self) { _ = try await late.value }
        #expect(refusedLate?.sqlState == .foreignKeyViolation)
        #expect(try await count("SELECT count(*) FROM flags WHERE employer_id = \(goneNext)") == 0)
        #expect(
            try await count(
                "SELECT count(*) FROM flag_events e LEFT JOIN flags f ON f.id = e.flag_id WHERE f.id IS NULL") == 0)
        #expect(try await count("SELECT count(*) FROM flags WHERE employer_id = \(kept)") > 0)

        // A deleted return takes its evaluation; its flags stay, no longer naming the version.
        try await deleter.execute("DELETE FROM returns WHERE employer_id = \(kept)")
        #expect(try await count("SELECT count(*) FROM return_evaluations") == 0)
        #expect(
            try await count("SELECT count(*) FROM flags WHERE employer_id = \(kept) AND return_version_id IS NOT NULL")
                == 0)
        #expect(try await count("SELECT count(*) FROM flags WHERE id = \(flagID)") == 1)
        await writer.close()
        await deleter.close()
    }

    @Test func aReturnWithNoRateInForceAtItsSnapshotIsSaidNotJudgedEveryNight() async throws {
        // Pledged from 2024; the seeded minimum wage starts on 2024-04-01, after 2024-Q1's snapshot.
        let employer = try await fixture.newEmployer()
        _ = try await PledgeStore(pool: fixture.pool).add(
            employerID: employer, tier: .accredited, livingHours: false, overrides: PledgeOverrides(),
            validFrom: CalendarDate(iso: "2024-01-01")!, validTo: nil, actor: "test")
        let lines = (1...20).map { Self.line("W\($0)").replacingOccurrences(of: "2026-08-01", with: "2024-01-15") }
        try await submit(employer, lines, header: Self.goodHeader.replacingOccurrences(of: "2026-Q3", with: "2024-Q1"))

        for _ in 1...2 {
            let report = try await nightly.run(asOf: asOf)
            #expect(report.returnsEvaluated == 0)
            let notJudged = report.errors.filter { $0.hasPrefix("employer \(employer) 2024-Q1 was not judged: ") }
            #expect(notJudged.count == 1, "\(report.errors)")
            #expect(notJudged.first?.contains("2024-03-31") == true, "\(notJudged)")
            #expect(try await fixture.count("SELECT count(*)::int FROM flags WHERE period = '2024-Q1'") == 0)
        }
    }

    @Test func aMissingReturnIsFlaggedAndClearsWhenTheReturnArrives() async throws {
        let employer = try await pledgedEmployer()
        // Q3 is due on Friday 30 October 2026: missing on the 31st, not on the 30th.
        let onTheDay = try await nightly.run(asOf: CalendarDate(iso: "2026-10-30")!)
        #expect(!onTheDay.changes.contains { $0.employerID == employer && $0.period == "2026-Q3" })
        let after = try await nightly.run(asOf: CalendarDate(iso: "2026-10-31")!)
        #expect(
            after.changes.contains {
                $0.employerID == employer && $0.standardID == "gov.return-missing" && $0.period == "2026-Q3"
            })
        #expect(try await flags(employer)["gov.return-missing"] == "open")

        try await submit(employer, (1...20).map { Self.line("W\($0)") })
        let arrived = try await nightly.run(asOf: CalendarDate(iso: "2026-11-02")!)
        #expect(
            arrived.changes.contains {
                $0.kind == .cleared && $0.standardID == "gov.return-missing" && $0.period == "2026-Q3"
            })
        // Late, though: received after the due date.
        #expect(try await flags(employer)["gov.return-late"] == "open")
    }

    @Test func aDryRunWritesNothing() async throws {
        let employer = try await pledgedEmployer()
        try await submit(employer, (1...20).map { Self.line("W\($0)", rate: "13.00") })
        let dry = try await nightly.run(asOf: asOf, dryRun: true)
        #expect(dry.changes.contains { $0.kind == .opened && $0.standardID == "pay.real-living-wage" })
        #expect(try await flags(employer).isEmpty)
        #expect(try await fixture.count("SELECT count(*) FROM return_evaluations") == 0)
        let real = try await nightly.run(asOf: asOf)
        #expect(real.changes == dry.changes)
    }

    @Test func anExemptionWaivesAndItsRevocationReopens() async throws {
        let employer = try await pledgedEmployer()
        try await submit(employer, (1...20).map { Self.line("W\($0)", rate: "13.00") })
        _ = try await nightly.run(asOf: asOf)
        let exemption = try await ExemptionStore(pool: fixture.pool).add(
            employerID: employer, standardID: "pay.real-living-wage", periodFrom: nil, periodTo: nil,
            reason: "uplift agreed for January", expiresOn: CalendarDate(iso: "2027-03-31")!, actor: "admin")
        let waived = try await nightly.run(asOf: asOf)
        #expect(waived.flagsWaived == 1)
        #expect(try await flags(employer)["pay.real-living-wage"] == "waived")
        // Past its expiry the exemption no longer covers the flag.
        let expired = try await nightly.run(asOf: CalendarDate(iso: "2027-04-01")!)
        #expect(expired.flagsUnwaived == 1)
        #expect(try await flags(employer)["pay.real-living-wage"] == "open")
        // Revoked: also no longer covers it (waive again first by running within its dates).
        _ = try await ExemptionStore(pool: fixture.pool).revoke(id: exemption.id, actor: "admin")
        await #expect(throws: CharterStoreError.self) {
            _ = try await ExemptionStore(pool: fixture.pool).revoke(id: exemption.id, actor: "admin")
        }
        let afterRevoke = try await nightly.run(asOf: asOf)
        #expect(afterRevoke.flagsWaived == 0)
        #expect(try await fixture.count("SELECT count(*) FROM audit_log WHERE action LIKE 'exemption.%'") == 2)
    }

    @Test func anExemptionNeedsARealStandardAndAReason() async throws {
        let employer = try await pledgedEmployer()
        let store = ExemptionStore(pool: fixture.pool)
        await #expect(throws: CharterStoreError.self) {
            _ = try await store.add(
                employerID: employer, standardID: "pay.everything", periodFrom: nil, periodTo: nil, reason: "x",
                expiresOn: CalendarDate(iso: "2027-01-01")!, actor: "admin")
        }
        await #expect(throws: CharterStoreError.self) {
            _ = try await store.add(
                employerID: employer, standardID: "pay.real-living-wage", periodFrom: nil, periodTo: nil, reason: " ",
                expiresOn: CalendarDate(iso: "2027-01-01")!, actor: "admin")
        }
        #expect(try await store.list(employerID: employer).isEmpty)
    }

    @Test func aDraftVersionIsPreviewedWithoutWritingAnything() async throws {
        let employer = try await pledgedEmployer()
        // One of twenty direct workers on zero hours (5 %, not above the charter's 5 %); one below the RLW.
        var lines = (1...20).map { Self.line("W\($0)") }
        lines[0] = Self.line("W1", rate: "13.00")
        lines[1] = Self.line("W2", contract: "zero_hours", hours: "0")
        try await submit(employer, lines)
        _ = try await nightly.run(asOf: asOf)
        let flagsBefore = try await flags(employer)
        #expect(flagsBefore["pay.real-living-wage"] == "open")
        #expect(flagsBefore["hours.zero-hours-share"] == nil)

        // A draft that tightens the zero-hours share to 2 % and stops judging the Real Living Wage.
        try await fixture.pool.withConnection { connection in
            try await connection.simpleQuery(
                """
                INSERT INTO charter_versions (label, effective_from, params, status)
                VALUES ('Draft 2027', '2027-01-01', '{"return_due_days": 30, "shift_notice_days": 28}', 'draft');
                INSERT INTO standards (charter_version_id, standard_id, pillar, title, params, severity_aspiring,
                                       severity_accredited)
                SELECT (SELECT id FROM charter_versions WHERE label = 'Draft 2027'), standard_id, pillar, title,
                       CASE WHEN standard_id = 'hours.zero-hours-share' THEN '{"threshold_percent": 2}' ELSE params END,
                       CASE WHEN standard_id = 'pay.real-living-wage' THEN 'off' ELSE severity_aspiring END,
                       CASE WHEN standard_id = 'pay.real-living-wage' THEN 'off' ELSE severity_accredited END
                FROM standards WHERE charter_version_id = (SELECT min(id) FROM charter_versions);
                """)
        }
        let eventsBefore = try await fixture.count("SELECT count(*) FROM flag_events")
        let preview = try await RulesPreview(pool: fixture.pool).preview(label: "Draft 2027", asOf: asOf)
        #expect(preview.returnsJudged == 1)
        #expect(preview.added.map(\.standardID) == ["hours.zero-hours-share"])
        #expect(preview.cleared.map(\.standardID) == ["pay.real-living-wage"])
        #expect(try await flags(employer) == flagsBefore)
        #expect(try await fixture.count("SELECT count(*) FROM flag_events") == eventsBefore)
        await #expect(throws: CharterStoreError.self) {
            _ = try await RulesPreview(pool: fixture.pool).preview(label: "No such draft", asOf: asOf)
        }
    }

    /// Copies the first charter version as draft `label`, with `standard`'s parameters replaced by `params`.
    func draft(_ label: String, standard: String, params: String) async throws {
        try await fixture.pool.withConnection { connection in
            try await connection.execute(
                """
                INSERT INTO charter_versions (label, effective_from, params, status)
                VALUES (\(label), '2027-01-01', '{"return_due_days": 30, "shift_notice_days": 28}', 'draft')
                """)
            try await connection.execute(
                """
                INSERT INTO standards (charter_version_id, standard_id, pillar, title, params, severity_aspiring,
                                       severity_accredited)
                SELECT (SELECT id FROM charter_versions WHERE label = \(label)), standard_id, pillar, title,
                       CASE WHEN standard_id = \(standard) THEN \(params)::jsonb ELSE params END,
                       severity_aspiring, severity_accredited
                FROM standards WHERE charter_version_id = (SELECT min(id) FROM charter_versions)
                """)
        }
    }

    /// Once retention has deleted a return's worker lines, the figures kept when it was submitted still
    /// judge it — by the night, and by a draft whose criteria are the same; a draft that measures the lines
    /// differently cannot, and the preview says so rather than judging the return as if it had no workers.
    @Test func aReturnWhoseLinesAreDeletedIsJudgedByTheFiguresKeptWithIt() async throws {
        let employer = try await pledgedEmployer()
        var lines = (1...20).map { Self.line("W\($0)") }
        lines[0] = Self.line("W1", rate: "13.00")
        lines[1] = Self.line("W2", hours: "12")
        try await submit(employer, lines)
        #expect(try await fixture.count("SELECT count(*) FROM return_figures") == 1)
        // What retention does to a version's lines.
        try await fixture.pool.withConnection { connection in
            try await connection.simpleQuery(
                "UPDATE return_versions SET lines_purged_at = now(); DELETE FROM worker_lines")
        }
        let report = try await nightly.run(asOf: asOf)
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(report.returnsEvaluated == 1 && report.returnsMeasuredFromLines == 0)
        #expect(try await flags(employer)["pay.real-living-wage"] == "open")
        let evidence = try await evidence(employer, "pay.real-living-wage")
        #expect(evidence.contains("W1"))

        // The zero-hours threshold is not one the figures are measured by: the kept figures fit.
        try await draft("Same figures", standard: "hours.zero-hours-share", params: #"{"threshold_percent": 2}"#)
        let same = try await RulesPreview(pool: fixture.pool).preview(label: "Same figures", asOf: asOf)
        #expect(same.returnsJudged == 1)
        #expect(same.errors.isEmpty)
        // Living Hours from 20 hours a week measures the lines again; they are gone.
        try await draft("Other figures", standard: "hours.living-hours-minimum", params: #"{"min_hours": 20}"#)
        let other = try await RulesPreview(pool: fixture.pool).preview(label: "Other figures", asOf: asOf)
        #expect(other.returnsJudged == 0)
        #expect(other.added.isEmpty && other.cleared.isEmpty)
        #expect(other.errors.count == 1)
        #expect(other.errors.first?.contains("retention has deleted its worker lines") == true, "\(other.errors)")
    }

    /// A version with no figures kept for the criteria it is judged by (stored before figures were kept,
    /// here), or with figures kept in a format this version does not read, is measured from its lines,
    /// judged the same, and the run counts it.
    @Test func aReturnWithNoKeptFiguresIsMeasuredFromItsLines() async throws {
        let (none, unreadable) = (try await pledgedEmployer(), try await pledgedEmployer())
        var lines = (1...20).map { Self.line("W\($0)") }
        lines[0] = Self.line("W1", rate: "13.00")
        try await submit(none, lines)
        try await submit(unreadable, lines)
        try await fixture.pool.withConnection { connection in
            try await connection.execute(
                """
                DELETE FROM return_figures WHERE return_version_id IN (
                    SELECT v.id FROM return_versions v JOIN returns r ON r.id = v.return_id WHERE r.employer_id = \(none))
                """)
            // A format to come: its first byte names it.
            try await connection.execute("UPDATE return_figures SET figures = '\\x09'::bytea || substr(figures, 2)")
        }
        let report = try await nightly.run(asOf: asOf)
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(report.returnsEvaluated == 2 && report.returnsMeasuredFromLines == 2)
        #expect(report.counts["returns_measured_from_lines"] == 2)
        for employer in [none, unreadable] {
            #expect(try await flags(employer)["pay.real-living-wage"] == "open")
            #expect(try await evidence(employer, "pay.real-living-wage").contains("W1"))
        }
    }

    /// A version keeps a packed copy of its header as it is stored, and the run reads it instead of the JSON
    /// (here the JSON is blanked); a version without one (stored before copies were kept) is judged from its
    /// JSON, with the same flags.
    @Test func aHeaderIsKeptPackedAndOneWithoutACopyIsJudgedAlike() async throws {
        let header = Self.goodHeader
            .replacingOccurrences(of: "\"sick_pay_waiting_days\": 0", with: "\"sick_pay_waiting_days\": 3")
            .replacingOccurrences(of: "\"recognition_agreement\": true", with: "\"recognition_agreement\": false")
            .replacingOccurrences(
                of: "\"union_requests\": []", with: #""union_requests": [{"received_on": "2026-07-01"}]"#)
        let lines = (1...20).map { Self.line("W\($0)") }
        let (packed, fromJSON) = (try await pledgedEmployer(), try await pledgedEmployer())
        try await submit(packed, lines, header: header)
        try await submit(fromJSON, lines, header: header)
        try await fixture.pool.withConnection { connection in
            let row = try await connection.query(
                """
                SELECT v.header::text AS header, v.header_packed FROM return_versions v JOIN returns r ON r.id = v.return_id
                WHERE r.employer_id = \(packed)
                """)[0]
            let kept = try #require(try row.decode(PGBytes?.self, column: "header_packed"))
            let stored = try JSONDecoder.charter.decode(
                ReturnHeader.self, from: Data(try row.decode(String.self, column: "header").utf8))
            #expect(try ReturnHeader(packed: kept.bytes) == stored)
            // The run reads the copy, not the JSON: with the JSON blanked it still judges the same.
            try await connection.execute(
                """
                UPDATE return_versions SET header = '{}'
                WHERE return_id IN (SELECT id FROM returns WHERE employer_id = \(packed))
                """)
            try await connection.execute(
                """
                UPDATE return_versions SET header_packed = NULL
                WHERE return_id IN (SELECT id FROM returns WHERE employer_id = \(fromJSON))
                """)
        }
        let report = try await nightly.run(asOf: asOf)
        #expect(report.errors.isEmpty && report.returnsEvaluated == 2)
        let raised = try await flags(packed)
        #expect(raised["health.sick-pay-day-one"] == "open", "\(raised)")
        #expect(raised["just.union-reply"] == "open", "\(raised)")
        #expect(try await flags(fromJSON) == raised)
    }

    /// An amended return is judged once more: its evaluation then names the new version (replaced, not
    /// added), and the night after judges nothing.
    @Test func anAmendedReturnIsJudgedOnceMore() async throws {
        let employer = try await pledgedEmployer()
        try await submit(employer, (1...20).map { Self.line("W\($0)") })
        #expect(try await nightly.run(asOf: asOf).returnsEvaluated == 1)
        try await submit(employer, (1...20).map { Self.line("W\($0)", rate: "13.00") })
        let amended = try await nightly.run(asOf: asOf)
        #expect(amended.returnsEvaluated == 1 && amended.errors.isEmpty, "\(amended.errors)")
        #expect(try await nightly.run(asOf: asOf).returnsEvaluated == 0)
        let named = try await fixture.pool.withConnection {
            try await $0.query(
                """
                SELECT count(*) AS evaluations, bool_and(v.version_no = 2) AS latest
                FROM return_evaluations e JOIN return_versions v ON v.id = e.return_version_id
                JOIN returns r ON r.id = e.return_id WHERE r.employer_id = \(employer)
                """)[0]
        }
        #expect(try named.decode(Int.self, column: "evaluations") == 1)
        #expect(try named.decode(Bool.self, column: "latest"))
    }

    /// `just.young-people` looks back over earlier periods. A run takes what a return it read earlier the
    /// same night attested, and asks the store only for the rest: the same flags whether the earlier period
    /// was judged in the same run (whatever the batches) or in a run before.
    @Test func youngPeopleHistoryIsTheSameFromTheRunOrFromTheStore() async throws {
        let noYoungPeople = Self.goodHeader.replacingOccurrences(
            of: "\"apprentices\": 2, \"work_placements\": 1", with: "\"apprentices\": 0, \"work_placements\": 0")
        let inQ2 = { (header: String) in header.replacingOccurrences(of: "2026-Q3", with: "2026-Q2") }
        let lines = (1...20).map { Self.line("W\($0)") }
        // Each pair: one employer with no young people in either quarter, one with some in Q2 only. The
        // first pair sends both quarters before a run; the second sends Q3 after Q2 has been judged.
        let sameNight = (never: try await pledgedEmployer(), once: try await pledgedEmployer())
        let nightAfter = (never: try await pledgedEmployer(), once: try await pledgedEmployer())
        for pair in [sameNight, nightAfter] {
            try await submit(pair.never, lines, header: inQ2(noYoungPeople))
            try await submit(pair.once, lines, header: inQ2(Self.goodHeader))
        }
        try await submit(sameNight.never, lines, header: noYoungPeople)
        try await submit(sameNight.once, lines, header: noYoungPeople)
        var oneAtATime = nightly
        oneAtATime.batchSize = 1
        let cut = try await oneAtATime.run(asOf: asOf, dryRun: true)
        let whole = try await nightly.run(asOf: asOf, dryRun: true)
        #expect(cut.errors.isEmpty && cut.changes == whole.changes, "\(cut.errors)")
        _ = try await nightly.run(asOf: asOf)
        try await submit(nightAfter.never, lines, header: noYoungPeople)
        try await submit(nightAfter.once, lines, header: noYoungPeople)
        let after = try await nightly.run(asOf: asOf)
        #expect(after.errors.isEmpty && after.returnsEvaluated == 2, "\(after.errors)")
        func warned(_ employer: Int64) async throws -> [String] {
            try await fixture.pool.withConnection {
                try await $0.query(
                    """
                    SELECT period FROM flags WHERE employer_id = \(employer) AND standard_id = 'just.young-people'
                    ORDER BY period
                    """
                ).map { try $0.decode(String.self, column: "period") }
            }
        }
        for pair in [sameNight, nightAfter] {
            #expect(try await warned(pair.never) == ["2026-Q2", "2026-Q3"])
            #expect(try await warned(pair.once) == [])
        }
    }

    /// A version that looks back further for young people reads that much history: apprentices five
    /// quarters back count under a lookback of six, though the four the version in force looks back over
    /// have none.
    @Test func aLongerYoungPeopleLookbackReadsThatMuchHistory() async throws {
        let employer = try await pledgedEmployer()
        let lines = (1...20).map { Self.line("W\($0)") }
        let none = Self.goodHeader.replacingOccurrences(
            of: "\"apprentices\": 2, \"work_placements\": 1", with: "\"apprentices\": 0, \"work_placements\": 0")
        try await submit(employer, lines, header: Self.goodHeader.replacingOccurrences(of: "2026-Q3", with: "2025-Q2"))
        for period in ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"] {
            try await submit(employer, lines, header: none.replacingOccurrences(of: "2026-Q3", with: period))
        }
        let run = try await nightly.run(asOf: asOf)
        #expect(run.errors.isEmpty, "\(run.errors)")
        let warned = run.changes.filter { $0.standardID == "just.young-people" && $0.kind == .opened }.map(\.period)
        #expect(Set(warned) == ["2026-Q2", "2026-Q3"])
        try await draft(
            "Six quarters", standard: "just.young-people", params: #"{"min_headcount": 10, "lookback_periods": 6}"#)
        let preview = try await RulesPreview(pool: fixture.pool).preview(label: "Six quarters", asOf: asOf)
        #expect(preview.errors.isEmpty, "\(preview.errors)")
        #expect(preview.added.isEmpty, "\(preview.added)")
        let cleared = preview.cleared.filter { $0.standardID == "just.young-people" }.map(\.period)
        #expect(Set(cleared) == ["2026-Q2", "2026-Q3"], "\(preview.cleared)")
    }

    @Test func previewingTheVersionInForceChangesNothingEvenWhereHistoryCounts() async throws {
        // Apprentices reported in Q2 but none in Q3: just.young-people looks back four periods, so no flag.
        let employer = try await pledgedEmployer()
        let lines = (1...20).map { Self.line("W\($0)") }
        try await submit(employer, lines, header: Self.goodHeader.replacingOccurrences(of: "2026-Q3", with: "2026-Q2"))
        try await submit(
            employer, lines,
            header: Self.goodHeader.replacingOccurrences(
                of: "\"apprentices\": 2, \"work_placements\": 1",
                with: "\"apprentices\": 0, \"work_placements\": 0"))
        let run = try await nightly.run(asOf: asOf)
        #expect(run.errors.isEmpty)
        #expect(try await flags(employer)["just.young-people"] == nil)
        let preview = try await RulesPreview(pool: fixture.pool).preview(
            label: "Fair Employment Charter 2026", asOf: asOf)
        #expect(preview.returnsJudged == 2)
        #expect(preview.added.isEmpty, "\(preview.added)")
        #expect(preview.cleared.isEmpty, "\(preview.cleared)")
    }
}

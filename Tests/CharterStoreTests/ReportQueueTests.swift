import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import PGClient
import Synchronization
import Testing

/// A renderer for tests: headers, then the report as sorted JSON, so a test reads back exactly what
/// was gathered from the message the outbox holds. It refuses a report to any address in `refusing`,
/// as the real renderer refuses an address no message can carry; `sender` is what it says it is from.
struct JSONReportRenderer: ReportRendering {
    struct Refused: Error, CustomStringConvertible {
        var description: String { "the address is refused" }
    }
    var refusing: Set<String> = []
    var sender = "charter@example.org"

    func render(_ report: Report, date: Date) throws -> RenderedReport {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let to = report.recipients.map(\.email)
        if to.contains(where: refusing.contains) { throw Refused() }
        let head = "From: \(sender)\r\nTo: \(to.joined(separator: ", "))\r\nSubject: \(report.kind.rawValue)\r\n\r\n"
        return RenderedReport(
            kind: report.kind, subject: report.kind.rawValue, from: sender, recipients: to,
            message: Array(head.utf8) + Array(try encoder.encode(report)))
    }

    /// The report inside a message this renderer wrote.
    static func report(in message: [UInt8]) throws -> Report {
        let text = String(decoding: message, as: UTF8.self)
        guard let range = text.range(of: "\r\n\r\n") else { throw Refused() }
        return try JSONDecoder().decode(Report.self, from: Data(text[range.upperBound...].utf8))
    }
}

/// `JSONReportRenderer` that counts the reports it renders (from any task).
final class CountingRenderer: ReportRendering {
    let rendered = Atomic<Int>(0)

    func render(_ report: Report, date: Date) throws -> RenderedReport {
        rendered.add(1, ordering: .relaxed)
        return try JSONReportRenderer().render(report, date: date)
    }
}

@Suite("Report gathering and queueing", .timeLimit(.minutes(10)))
struct ReportQueueTests {
    let fixture: StoreFixture
    init() async throws { fixture = try await StoreFixture("reports") }

    let start = Date()
    var queue: ReportQueue { ReportQueue(renderer: JSONReportRenderer()) }

    /// A queue whose clock reads `days` days after the test began.
    func queue(after days: Double) -> ReportQueue {
        let now = start.addingTimeInterval(days * 86_400)
        return ReportQueue(renderer: JSONReportRenderer(), clock: { now })
    }

    /// An employer pledged from 2026-07-01 (so 2026-Q3 is the first return it owes, due Friday
    /// 2026-10-30), with one contact.
    func contactedEmployer(_ name: String = "Mersey Care Homes Ltd", contact: String = "hr@mersey.example") async throws
        -> Int64
    {
        let id = try await fixture.newEmployer(name)
        _ = try await PledgeStore(pool: fixture.pool).add(
            employerID: id, tier: .accredited, livingHours: false, overrides: PledgeOverrides(),
            validFrom: CalendarDate(iso: "2026-07-01")!, validTo: nil, actor: "test")
        _ = try await fixture.employers.addContact(
            employerID: id, name: "HR", email: contact, role: nil, actor: "test")
        return id
    }

    /// A 2026-Q3 return of 20 workers, `low` of them paid below the Real Living Wage.
    func submit(_ employer: Int64, low: Int) async throws {
        let lines = (1...20).map { NightlyComplianceTests.line("W\($0)", rate: $0 <= low ? "13.20" : "14.00") }
        let outcome = try await fixture.returns.submit(
            ReturnSubmission(
                employerID: employer, submittedBy: "payroll", header: Data(NightlyComplianceTests.goodHeader.utf8)),
            csv: ReturnText.chunks(([NightlyComplianceTests.columns] + lines).joined(separator: "\n") + "\n"))
        guard case .accepted = outcome else {
            Issue.record("return not accepted: \(outcome)")
            return
        }
    }

    func run(_ date: String, _ queue: ReportQueue?, dryRun: Bool = false) async throws -> ComplianceRunReport {
        try await NightlyCompliance(pool: fixture.pool, reportQueue: queue).run(
            asOf: CalendarDate(iso: date)!, dryRun: dryRun)
    }

    /// The reports in the outbox under dedup keys starting with `prefix`, oldest first.
    func queued(_ prefix: String) async throws -> [(key: String, recipients: [String], report: Report)] {
        try await fixture.pool.withConnection { connection in
            try await connection.query(
                "SELECT dedup_key, recipients, message FROM outbox_messages WHERE dedup_key LIKE \(prefix + "%") ORDER BY id"
            ).map {
                (
                    try $0.decode(String.self, column: "dedup_key"), try $0.decode([String].self, column: "recipients"),
                    try JSONReportRenderer.report(in: try $0.decode(PGBytes.self, column: "message").bytes)
                )
            }
        }
    }

    func outboxCount() async throws -> Int { try await fixture.count("SELECT count(*)::int FROM outbox_messages") }

    func rlwFlag(_ flags: [ReportFlag]) -> ReportFlag? { flags.first { $0.standardID == "pay.real-living-wage" } }

    /// The id of `employer`'s Real Living Wage flag.
    func rlwFlagID(_ employer: Int64) async throws -> Int64 {
        Int64(
            try await fixture.count(
                "SELECT id::int FROM flags WHERE employer_id = \(employer) AND standard_id = 'pay.real-living-wage'"))
    }

    /// The employer's response to `flagID` (its contact at hr@mersey.example).
    func respond(to flagID: Int64, in store: FlagStore) async throws {
        try await store.act(
            .respond, on: flagID, role: .employer, actor: "hr@mersey.example", note: nil,
            response: FlagResponse(explanation: "Two new starters; back pay on the next run"))
    }

    @Test func aNewFlagIsNewAClearedOneClearedAndRepsSeeSuppressedEvidence() async throws {
        let employer = try await contactedEmployer()
        let rep = try await fixture.reps.add(
            name: "Siân Jones", email: "sian@unite.example", unionName: "Unite", covers: [employer], actor: "test")
        try await submit(employer, low: 1)
        let first = try await run("2026-11-01", queue)
        #expect(first.emailsQueued == 2)
        #expect(first.counts["emails_queued"] == 2)

        let employerDigests = try await queued("employer-digest:\(employer):")
        #expect(employerDigests.map(\.key) == ["employer-digest:\(employer):2026-11-01"])
        #expect(employerDigests.first?.recipients == ["hr@mersey.example"])
        guard case .employerDigest(let digest)? = employerDigests.first?.report, let flag = rlwFlag(digest.flags)
        else { throw JSONReportRenderer.Refused() }
        #expect(flag.change == .new)
        #expect(flag.state == .open)
        #expect(flag.evidence.contains("Workers affected: 1"))
        #expect(flag.evidence.contains("Worker refs: W1"))

        guard case .repDigest(let repDigest)? = try await queued("rep-digest:\(rep.id):").first?.report,
            let repFlag = rlwFlag(repDigest.employers.flatMap(\.flags))
        else { throw JSONReportRenderer.Refused() }
        #expect(repDigest.recipient.email == "sian@unite.example")
        #expect(repFlag.change == .new)
        #expect(repFlag.evidence.contains("Workers affected: fewer than 5"))
        #expect(!repFlag.evidence.contains { $0.contains("W1") })

        // The amendment pays everyone the Real Living Wage: the next digest says the flag cleared.
        try await submit(employer, low: 0)
        let second = try await run("2026-11-02", queue(after: 1))
        #expect(second.flagsCleared == 1)
        guard
            case .employerDigest(let next)? = try await queued("employer-digest:\(employer):2026-11-02").first?.report,
            let cleared = rlwFlag(next.flags)
        else { throw JSONReportRenderer.Refused() }
        #expect(cleared.change == .cleared)
        #expect(cleared.state == .cleared)
    }

    @Test func aRerunNeverQueuesTwiceAndAnUnchangedDigestWaitsForTheRepeatInterval() async throws {
        let employer = try await contactedEmployer()
        _ = try await fixture.reps.add(
            name: "Rep", email: "rep@union.example", unionName: nil, covers: [employer], actor: "test")
        try await submit(employer, low: 6)
        #expect(try await run("2026-11-01", queue).emailsQueued == 2)
        // The same night again (a repeated occurrence, or by hand): nothing new.
        #expect(try await run("2026-11-01", queue).emailsQueued == 0)
        #expect(try await outboxCount() == 2)
        // The next nights nothing changed: held back until seven days have passed.
        #expect(try await run("2026-11-02", queue(after: 1)).emailsQueued == 0)
        #expect(try await run("2026-11-07", queue(after: 6)).emailsQueued == 0)
        #expect(try await outboxCount() == 2)
        #expect(try await run("2026-11-08", queue(after: 7.01)).emailsQueued == 2)
        #expect(try await outboxCount() == 4)
        // Repeated unchanged, the flag reads as unchanged (it was told as new a week ago).
        guard
            case .employerDigest(let digest)? = try await queued("employer-digest:\(employer):2026-11-08").first?.report
        else { throw JSONReportRenderer.Refused() }
        #expect(rlwFlag(digest.flags)?.change == .unchanged)
    }

    /// More than a window (512) and an insert (128) at once, as a nightly run of a large charter queues
    /// them: each once, in the order given, an unchanged digest held back whether its predecessor is in
    /// the same window or an earlier one, and a rerun renders nothing at all.
    @Test func aLargeBatchQueuesEachOnceInOrderAndARerunRendersNothing() async throws {
        let renderer = CountingRenderer()
        let queue = ReportQueue(renderer: renderer)
        let due = DueReturn(
            period: try #require(ReportingPeriod("2026-Q3")), dueDate: try #require(CalendarDate(iso: "2026-10-30")),
            daysUntilDue: 3)
        func digest(_ employer: Int64, _ day: String, owes: Bool = true) -> Report {
            .employerDigest(
                EmployerDigest(
                    employerID: employer, employerName: "Employer \(employer)",
                    recipients: [ReportRecipient(name: "HR", email: "hr\(employer)@example.org")], flags: [],
                    dueReturns: owes ? [due] : [], asOf: CalendarDate(iso: day)!))
        }
        var reports = (1...700).map { digest($0, "2026-10-27") }
        reports.insert(digest(1, "2026-10-28"), at: 1)  // unchanged, same window: held back
        reports.append(digest(3, "2026-10-28"))  // unchanged, a later window: held back
        reports.append(digest(2, "2026-10-28", owes: false))  // changed: sent
        let queued = try await fixture.pool.withTransaction { try await queue.queue(reports, on: $0) }
        #expect(queued == 701)
        #expect(renderer.rendered.load(ordering: .relaxed) == 701)
        let keys = try await fixture.pool.withConnection { connection in
            try await connection.query("SELECT dedup_key FROM outbox_messages ORDER BY id").map {
                try $0.decode(String.self, column: "dedup_key")
            }
        }
        let held = [digest(1, "2026-10-28").dedupKey, digest(3, "2026-10-28").dedupKey]
        #expect(keys == reports.map(\.dedupKey).filter { !held.contains($0) })
        let again = try await fixture.pool.withTransaction { try await queue.queue(reports, on: $0) }
        #expect(again == 0)
        #expect(renderer.rendered.load(ordering: .relaxed) == 701)
        #expect(try await outboxCount() == 701)
    }

    @Test func aRolledBackRunQueuesNothing() async throws {
        let employer = try await contactedEmployer()
        try await submit(employer, low: 1)
        // The outbox refuses a message from no address: the run fails after its flags were written.
        await #expect(throws: PGError.self) {
            try await run("2026-11-01", ReportQueue(renderer: JSONReportRenderer(sender: "nobody")))
        }
        #expect(try await outboxCount() == 0)
        #expect(try await fixture.count("SELECT count(*)::int FROM flags") == 0)
        let dry = try await run("2026-11-01", queue, dryRun: true)
        #expect(dry.emailsQueued == 1)
        #expect(try await outboxCount() == 0)
    }

    @Test func aReportThatCannotBeRenderedIsLeftOutAndSaidWhileTheRunAndTheOthersGoAhead() async throws {
        let employer = try await contactedEmployer()
        let other = try await contactedEmployer("Elsewhere Ltd", contact: "hr@elsewhere.example")
        _ = try await fixture.reps.add(
            name: "Covering", email: "covering@union.example", unionName: nil, covers: [employer, other],
            actor: "test")
        try await submit(employer, low: 2)
        try await submit(other, low: 1)
        let refusing = ReportQueue(renderer: JSONReportRenderer(refusing: ["hr@mersey.example"]))

        let report = try await run("2026-11-01", refusing)
        #expect(report.flagsOpened > 0)
        #expect(try await fixture.count("SELECT count(*)::int FROM flags") == report.flagsOpened)
        #expect(
            try await fixture.count("SELECT count(*)::int FROM flags WHERE standard_id = 'pay.real-living-wage'") == 2)
        #expect(report.emailsQueued == 2)
        let key = "employer-digest:\(employer):2026-11-01"
        #expect(report.errors == ["the employer-digest \(key) was not queued: the address is refused"])
        #expect(try await queued("employer-digest:").map(\.recipients) == [["hr@elsewhere.example"]])
        #expect(try await queued("rep-digest:").map(\.recipients) == [["covering@union.example"]])

        // A flag action whose notice cannot be rendered is still taken, and its other notices queued.
        let flagID = try await rlwFlagID(employer)
        let store = FlagStore(pool: fixture.pool, reportQueue: refusing)
        try await respond(to: flagID, in: store)
        let resolved = try await store.act(
            .resolve, on: flagID, role: .rep, actor: "covering@union.example", note: "Back pay made")
        #expect(resolved.summary.state == .resolved)
        #expect(try await store.flag(id: flagID)?.summary.state == .resolved)
        // The response's notice to the rep went; the resolution's to the refused employer did not.
        #expect(try await queued("flag-notice:").map(\.recipients) == [["covering@union.example"]])
    }

    @Test func remindersGoOutOnExactlyTheLadderDaysAndOnce() async throws {
        let employer = try await contactedEmployer()
        _ = try await contactedEmployer("Other Ltd", contact: "ops@other.example")
        // A third employer with no contact is never reminded.
        let silent = try await fixture.newEmployer("No Contact Ltd")
        _ = try await PledgeStore(pool: fixture.pool).add(
            employerID: silent, tier: .aspiring, livingHours: false, overrides: PledgeOverrides(),
            validFrom: CalendarDate(iso: "2026-07-01")!, validTo: nil, actor: "test")
        try await submit(employer, low: 0)  // this one sent its return; only "Other Ltd" is reminded

        let due = CalendarDate(iso: "2026-10-30")!
        var days: [Int: [ReturnReminder.Step]] = [:]
        for offset in -20...20 {
            let reminders = try await fixture.pool.withConnection {
                try await ReportGatherer.reminders(asOf: due.adding(days: offset), on: $0)
            }
            #expect(reminders.allSatisfy { $0.employerName == "Other Ltd" && $0.due.dueDate == due })
            #expect(reminders.allSatisfy { $0.due.period.description == "2026-Q3" })
            if !reminders.isEmpty { days[offset] = reminders.map(\.step) }
        }
        #expect(
            days == [
                -14: [.fourteenDaysBefore], -3: [.threeDaysBefore], 1: [.oneDayOverdue], 14: [.fourteenDaysOverdue],
            ])
        // A reminder that cannot be rendered is left out and said (the job's run record counts it).
        let refusing = ReportQueue(renderer: JSONReportRenderer(refusing: ["ops@other.example"]))
        let refused = try await refusing.queueReminders(asOf: due.adding(days: -14), pool: fixture.pool)
        #expect(refused.queued == 0)
        #expect(refused.unrendered.count == 1)
        #expect(refused.unrendered.first?.hasPrefix("the reminder reminder:") == true, "\(refused.unrendered)")
        #expect(try await queue.queueReminders(asOf: due.adding(days: -3), pool: fixture.pool).queued == 1)
        #expect(try await queue.queueReminders(asOf: due.adding(days: -3), pool: fixture.pool).queued == 0)
        #expect(try await queue.queueReminders(asOf: due.adding(days: -2), pool: fixture.pool).queued == 0)
        let sent = try await queued("reminder:")
        #expect(sent.map(\.key).count == 1)
        #expect(sent.first?.key.hasSuffix(":2026-Q3:due-in-3-days") == true)
        #expect(sent.first?.recipients == ["ops@other.example"])
    }

    @Test func flagNoticesReachTheRightPeopleOnce() async throws {
        let employer = try await contactedEmployer()
        let other = try await contactedEmployer("Elsewhere Ltd", contact: "hr@elsewhere.example")
        _ = try await fixture.reps.add(
            name: "Covering", email: "covering@union.example", unionName: nil, covers: [employer], actor: "test")
        _ = try await fixture.reps.add(
            name: "Elsewhere", email: "elsewhere@union.example", unionName: nil, covers: [other], actor: "test")
        try await submit(employer, low: 2)
        _ = try await run("2026-11-01", nil)
        let flagID = try await rlwFlagID(employer)
        let store = FlagStore(pool: fixture.pool, reportQueue: queue)

        try await respond(to: flagID, in: store)
        try await store.act(.acknowledge, on: flagID, role: .rep, actor: "covering@union.example", note: nil)
        try await store.act(
            .dispute, on: flagID, role: .employer, actor: "hr@mersey.example", note: "They are apprentices")
        try await store.act(.resolve, on: flagID, role: .rep, actor: "Covering (Unite)", note: "Agreed")

        let notices = try await queued("flag-notice:")
        #expect(
            notices.map(\.recipients) == [
                ["covering@union.example"], ["covering@union.example"], ["hr@mersey.example"],
            ])
        var events: [FlagNotice.Event] = []
        for case .flagNotice(let notice) in notices.map(\.report) {
            events.append(notice.event)
            #expect(notice.flag.id == flagID)
            // Reps read suppressed evidence; the employer its own figures in full.
            let full = notice.event == .resolved
            #expect(notice.flag.evidence.contains(full ? "Workers affected: 2" : "Workers affected: fewer than 5"))
        }
        #expect(events == [.responded, .disputed, .resolved])
        // The same event's notices again (a retried transaction) queue nothing new.
        let lastEvent = Int64(try await fixture.count("SELECT max(id)::int FROM flag_events"))
        let again = try await fixture.pool.withTransaction {
            try await queue.queueFlagNotices(eventID: lastEvent, on: $0)
        }
        #expect(again == 0)
        #expect(try await outboxCount() == 3)
    }

    @Test func theWeeklySummaryCarriesTheAuditHead() async throws {
        let employer = try await contactedEmployer()
        try await submit(employer, low: 1)
        _ = try await run("2026-11-01", nil)
        let monday = CalendarDate(Date(), in: .europeLondon).adding(days: 1)
        // No admin yet: nobody to send it to.
        #expect(try await queue.queueWeeklySummary(weekEnding: monday, pool: fixture.pool).queued == 0)
        _ = try await fixture.pool.withConnection {
            try await $0.execute(
                "INSERT INTO users (email, display_name, role) VALUES ('team@charter.example', 'Charter team', 'admin')"
            )
        }
        #expect(try await queue.queueWeeklySummary(weekEnding: monday, pool: fixture.pool).queued == 1)
        #expect(try await queue.queueWeeklySummary(weekEnding: monday, pool: fixture.pool).queued == 0)

        let head = try await fixture.pool.withConnection {
            try await $0.query("SELECT encode(row_hash, 'hex') AS h FROM audit_head")[0].decode(
                String.self, column: "h")
        }
        guard case .weeklySummary(let summary)? = try await queued("weekly-summary:").first?.report else {
            throw JSONReportRenderer.Refused()
        }
        #expect(summary.auditChainHead == head)
        #expect(summary.auditRows == (try await fixture.count("SELECT count(*)::int FROM audit_log")))
        // The head it prints is the keyed one that `charterctl audit verify --head` finds at the last row.
        let proved = try await fixture.pool.withConnection {
            try await AuditTrail.verify(
                on: $0, key: try StoreFixture.auditKey(),
                publishedHead: AuditVerifyTests.bytes(ofHex: summary.auditChainHead))
        }
        #expect(proved.isIntact, "\(proved.firstBreak?.message ?? "")")
        #expect(proved.publishedHead?.position == summary.auditRows)
        #expect(summary.recipients.map(\.email) == ["team@charter.example"])
        #expect(summary.employersPledged == 1)
        #expect(summary.returnsReceivedThisWeek == 1)
        // Every flag the run raised this week (their openings are kept on the flags, not as events).
        #expect(summary.flagsOpenedThisWeek >= 1)
        #expect(summary.flagsOpenedThisWeek == (try await fixture.count("SELECT count(*)::int FROM flags")))
    }
}

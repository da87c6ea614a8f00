import CharterDomain
import CharterStore
import Foundation
import PGClient
import Scheduling
import TestSupport
import Testing

/// `charterctl reports preview`, as the charter team uses it to see a report before it goes out.
@Suite("charterctl reports preview", .timeLimit(.minutes(10)))
struct CharterCtlReportsTests {
    let environment: [String: String]
    let pool: PGPool

    init() async throws {
        let database = try await MigratedDatabase("ctlreports")
        let conninfo = database.conninfo
        environment = ["CHARTERD_DATABASE_URL": conninfo, "CHARTERD_MAIL_FROM": "charter@example.org"]
        pool = database.pool
    }

    func count(_ query: PGQuery) async throws -> Int {
        try await pool.withConnection { try await $0.query(query)[0].decode(Int.self, at: 0) }
    }

    @Test func previewPrintsTheMessageAndWritesNothing() async throws {
        let employer = try await EmployerStore(pool: pool).add(Employer(name: "Wirral Bakeries Ltd"), actor: "test")
        guard let id = employer.id else { throw CharterStoreError(.notFound, "no id") }
        _ = try await PledgeStore(pool: pool).add(
            employerID: id, tier: .aspiring, livingHours: false, overrides: PledgeOverrides(),
            validFrom: CalendarDate(iso: "2026-07-01")!, validTo: nil, actor: "test")
        _ = try await EmployerStore(pool: pool).addContact(
            employerID: id, name: "Payroll", email: "payroll@wirral.example", role: nil, actor: "test")
        let before = (
            try await count("SELECT count(*)::int FROM outbox_messages"),
            try await count("SELECT count(*)::int FROM audit_log")
        )

        // 2026-Q3's return is due on Friday 2026-10-30: five days ahead of the digest, three of the reminder.
        let digest = try await CharterCtlTests().charterctl(
            ["reports", "preview", "--kind", "employer-digest", "--recipient", String(id), "--as-of", "2026-10-25"],
            environment: environment)
        #expect(digest.status == 0, "\(digest.stderr)")
        #expect(digest.stdout.contains("\r\nMIME-Version: 1.0\r\n"))
        #expect(digest.stdout.contains("To: \"Payroll\" <payroll@wirral.example>"))
        #expect(digest.stdout.contains("From: \"CharterWatch\" <charter@example.org>"))
        #expect(digest.stdout.contains("2026-Q3: due 2026-10-30 (in 5 days)"))

        let reminder = try await CharterCtlTests().charterctl(
            ["reports", "preview", "--kind", "reminder", "--recipient", String(id), "--as-of", "2026-10-27"],
            environment: environment)
        #expect(reminder.status == 0, "\(reminder.stderr)")
        #expect(
            reminder.stdout.contains("Subject: CharterWatch: Wirral Bakeries Ltd's 2026-Q3 return is due in 3 days"))

        // Not a ladder day: nothing would be sent, said on stderr with status 1.
        let none = try await CharterCtlTests().charterctl(
            ["reports", "preview", "--kind", "reminder", "--recipient", String(id), "--as-of", "2026-10-26"],
            environment: environment)
        #expect(none.status == 1)
        #expect(none.stdout.isEmpty)

        let after = (
            try await count("SELECT count(*)::int FROM outbox_messages"),
            try await count("SELECT count(*)::int FROM audit_log")
        )
        #expect(after == before)
        #expect(after.0 == 0)
    }

    /// An accreditation reminder is previewed as the renewal job would send it; a lapse notice cannot be
    /// (gathering it is lapsing the pledge), which is said with status 1 and writes nothing.
    @Test func previewAnAccreditationReminder() async throws {
        let employer = try await EmployerStore(pool: pool).add(Employer(name: "Halton Care Ltd"), actor: "test")
        guard let id = employer.id else { throw CharterStoreError(.notFound, "no id") }
        _ = try await PledgeStore(pool: pool).add(
            employerID: id, tier: .accredited, livingHours: false, overrides: PledgeOverrides(),
            validFrom: CalendarDate(iso: "2025-03-01")!, validTo: nil, actor: "test")
        _ = try await EmployerStore(pool: pool).addContact(
            employerID: id, name: "HR", email: "hr@halton.example", role: nil, actor: "test")
        let before = try await count("SELECT count(*)::int FROM audit_log")

        let reminder = try await CharterCtlTests().charterctl(
            [
                "reports", "preview", "--kind", "accreditation-reminder", "--recipient", String(id), "--as-of",
                "2027-01-30",
            ],
            environment: environment)
        #expect(reminder.status == 0, "\(reminder.stderr)")
        // (The subject is folded after the comma, as RFC 5322 wants a long header line.)
        #expect(
            reminder.stdout.contains("Subject: CharterWatch: Halton Care Ltd's accreditation lapses on 2027-03-01,"))
        #expect(reminder.stdout.contains(" in 30 days\r\n") || reminder.stdout.contains(" in 30 days\n"))
        #expect(reminder.stdout.contains("To: \"HR\" <hr@halton.example>"))

        let lapse = try await CharterCtlTests().charterctl(
            [
                "reports", "preview", "--kind", "accreditation-lapsed", "--recipient", String(id), "--as-of",
                "2027-03-01",
            ],
            environment: environment)
        #expect(lapse.status != 0)
        #expect(lapse.stderr.contains("it has no preview"), "\(lapse.stderr)")
        #expect(try await count("SELECT count(*)::int FROM pledges WHERE tier = 'aspiring'") == 0)
        #expect(try await count("SELECT count(*)::int FROM outbox_messages") == 0)
        #expect(try await count("SELECT count(*)::int FROM audit_log") == before)
    }

    /// `--run` previews as of the day a recorded run was for (read through the scheduler's run log).
    @Test func previewAsOfARecordedRun() async throws {
        let employer = try await EmployerStore(pool: pool).add(Employer(name: "Knowsley Joinery Ltd"), actor: "test")
        guard let id = employer.id else { throw CharterStoreError(.notFound, "no id") }
        _ = try await PledgeStore(pool: pool).add(
            employerID: id, tier: .aspiring, livingHours: false, overrides: PledgeOverrides(),
            validFrom: CalendarDate(iso: "2026-07-01")!, validTo: nil, actor: "test")
        _ = try await EmployerStore(pool: pool).addContact(
            employerID: id, name: "Payroll", email: "payroll@knowsley.example", role: nil, actor: "test")
        let started = try #require(ISO8601DateFormatter().date(from: "2026-10-27T12:00:00Z"))
        let run = try await JobRunLog(pool: pool).recordHandRun(
            job: "nightly-compliance", triggeredBy: "test", startedAt: started, finishedAt: started, succeeded: true,
            counts: [:], error: nil)

        let reminder = try await CharterCtlTests().charterctl(
            ["reports", "preview", "--kind", "reminder", "--recipient", String(id), "--run", String(run)],
            environment: environment)
        #expect(reminder.status == 0, "\(reminder.stderr)")
        #expect(
            reminder.stdout.contains(
                "Subject: CharterWatch: Knowsley Joinery Ltd's 2026-Q3 return is due in 3 days"))

        let missing = try await CharterCtlTests().charterctl(
            ["reports", "preview", "--kind", "reminder", "--recipient", String(id), "--run", String(run + 1000)],
            environment: environment)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("there is no job run \(run + 1000)"))
    }

    @Test func aRepDigestAndAFlagNoticeShowRepsSuppressedFigures() async throws {
        let employer = try await EmployerStore(pool: pool).add(Employer(name: "Sefton Care Ltd"), actor: "test")
        guard let id = employer.id else { throw CharterStoreError(.notFound, "no id") }
        _ = try await RepStore(pool: pool).add(
            name: "Siân Jones", email: "sian@unite.example", unionName: "Unite", covers: [id], actor: "test")
        let version = try await count("SELECT min(id)::int FROM charter_versions")
        var evidence = Evidence(
            charterVersionID: Int64(version), charterVersionLabel: "Charter 2026", parameters: [:],
            period: ReportingPeriod("2026-Q3")!, returnVersionID: nil, returnVersionNumber: nil)
        evidence.workers = .exact(3)
        evidence.workerRefs = ["W1", "W2", "W3"]
        let json = String(decoding: evidence.jsonData(), as: UTF8.self)
        let eventID = try await pool.withConnection { connection in
            let flag = try await connection.query(
                """
                INSERT INTO flags (employer_id, standard_id, period, state, severity, evidence, charter_version_id)
                VALUES (\(id), 'pay.real-living-wage', '2026-Q3', 'disputed', 'breach', \(json)::jsonb,
                        \(Int64(version)))
                RETURNING id
                """)[0].decode(Int64.self, column: "id")
            return try await connection.query(
                """
                INSERT INTO flag_events (flag_id, actor, kind, from_state, to_state, note)
                VALUES (\(flag), 'payroll', 'transition', 'open', 'disputed', 'They are apprentices')
                RETURNING id
                """)[0].decode(Int64.self, column: "id")
        }

        let digest = try await CharterCtlTests().charterctl(
            [
                "reports", "preview", "--kind", "rep-digest", "--recipient", "SIAN@unite.example", "--as-of",
                "2026-11-02",
            ],
            environment: environment)
        #expect(digest.status == 0, "\(digest.stderr)")
        #expect(digest.stdout.contains("Workers affected: fewer than 5"))
        #expect(!digest.stdout.contains("W1"))

        let notice = try await CharterCtlTests().charterctl(
            ["reports", "preview", "--kind", "flag-notice", "--event", String(eventID)], environment: environment)
        #expect(notice.status == 0, "\(notice.stderr)")
        #expect(notice.stdout.contains("Sefton Care Ltd disputed flag"))
        #expect(notice.stdout.contains("Workers affected: fewer than 5"))
        #expect(try await count("SELECT count(*)::int FROM outbox_messages") == 0)
    }
}

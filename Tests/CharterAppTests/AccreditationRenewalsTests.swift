import CharterApp
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import PGClient
import Scheduling
import SchedulingTestSupport
import Testing

/// SPEC §10 "Renewal": the `accreditation-renewals` job, run by two scheduler instances on one database
/// over the 92 days before an accreditation lapses, as charterd runs it (real renderer, real templates).
@Suite("Accreditation renewals", .timeLimit(.minutes(10)))
struct AccreditationRenewalsTests {
    let database: MigratedDatabase
    var pool: PGPool { database.pool }

    init() async throws {
        database = try await MigratedDatabase("renewals")
    }

    func day(_ text: String) throws -> CalendarDate { try #require(CalendarDate(iso: text)) }

    /// 06:00 in London on `day`, when the job's occurrence of that day is due.
    func sixAM(_ day: CalendarDate) -> Date { day.start(in: .europeLondon).addingTimeInterval(6 * 3600) }

    func rows(_ query: PGQuery) async throws -> PGRows {
        try await pool.withConnection { try await $0.query(query) }
    }

    struct Signatory {
        var id: Int64
        var pledges: [PledgeRecord]
    }

    /// An employer with a contact and pledges over `ranges` (tier, from, to), made in order.
    func signatory(
        _ name: String, number: String, contact: String, _ ranges: [(Tier, String, String?)]
    ) async throws -> Signatory {
        let employers = EmployerStore(pool: pool)
        var employer = Employer(name: name)
        employer.companyNumber = CompanyNumber(number)
        let id = try #require(try await employers.add(employer, actor: "test").id)
        _ = try await employers.addContact(employerID: id, name: "HR", email: contact, role: nil, actor: "test")
        var pledges: [PledgeRecord] = []
        for (tier, from, to) in ranges {
            pledges.append(
                try await PledgeStore(pool: pool).add(
                    employerID: id, tier: tier, livingHours: true, overrides: PledgeOverrides(),
                    validFrom: try day(from), validTo: try to.map(day), actor: "test"))
        }
        return Signatory(id: id, pledges: pledges)
    }

    @Test func twoInstancesRemindOnceAtEachRungAndLapseTheUnrenewedAccreditationToAspiring() async throws {
        // Accredited from 1 March 2025: with the default 24 months it lapses on 1 March 2027.
        let lapsing = try await signatory(
            "Halton Care Ltd", number: "01234567", contact: "hr@halton.example",
            [(.accredited, "2025-03-01", nil)])
        // Accredited the same day, and renewed on 1 February 2027: a newer accredited pledge.
        let renewed = try await signatory(
            "Runcorn Joinery Ltd", number: "07654321", contact: "hr@runcorn.example",
            [(.accredited, "2025-03-01", "2027-02-01"), (.accredited, "2027-02-01", nil)])
        let accredited = try #require(lapsing.pledges.first)
        let lapseDay = try day("2027-03-01")

        // Two instances, one clock: it starts the day before the 91st day before the lapse, after 06:00.
        let clock = ManualJobClock(now: sixAM(lapseDay.adding(days: -92)).addingTimeInterval(3600))
        let events = SchedulerEventLog()
        let renderer = try ReportRenderer(configuration: CharterConfiguration())
        var pools: [PGPool] = []
        var tasks: [Task<Void, Never>] = []
        for name in ["a", "b"] {
            let instancePool = PGPool(configuration: PGPoolConfiguration(conninfo: database.conninfo))
            pools.append(instancePool)
            let jobs = try CharterJobs.all(pool: instancePool, renderer: renderer).filter {
                $0.name == "accreditation-renewals"
            }
            #expect(jobs.count == 1)
            let scheduler = Scheduler(
                jobs: jobs, pool: instancePool, instance: "renewals-\(name)", clock: clock, onEvent: events.record)
            tasks.append(Task { try? await scheduler.run() })
        }
        // Day by day up to the lapse day's morning: both instances wake at each 06:00, one runs the
        // occurrence and the other finds it taken.
        for offset in (0...91).reversed() {
            let occurrence = sixAM(lapseDay.adding(days: -offset))
            await clock.waitForSleepers(2)
            clock.advance(to: occurrence)
            await events.waitUntil { SchedulerEventLog.about(occurrence, $0).count == 2 }
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        for instancePool in pools { await instancePool.close() }

        // Every occurrence ran exactly once, and succeeded.
        let runs = try await rows(
            """
            SELECT count(*)::int AS n, count(DISTINCT scheduled_for)::int AS days,
                   count(*) FILTER (WHERE outcome = 'succeeded')::int AS succeeded
            FROM job_runs WHERE job = 'accreditation-renewals'
            """)[0]
        #expect(try runs.decode(Int.self, column: "n") == 92)
        #expect(try runs.decode(Int.self, column: "days") == 92)
        #expect(try runs.decode(Int.self, column: "succeeded") == 92)

        // The three reminders, once each, on their rung's day, to the lapsing employer only; then the notice.
        let outbox = try await rows(
            """
            SELECT kind, dedup_key, array_to_string(recipients, ',') AS recipients, subject
            FROM outbox_messages ORDER BY id
            """)
        let sent = try outbox.map {
            (
                kind: try $0.decode(String.self, column: "kind"), key: try $0.decode(String.self, column: "dedup_key"),
                to: try $0.decode(String.self, column: "recipients"),
                subject: try $0.decode(String.self, column: "subject")
            )
        }
        #expect(sent.map(\.kind) == Array(repeating: "accreditation-reminder", count: 3) + ["accreditation-lapsed"])
        #expect(
            sent.map(\.key) == [
                "accreditation-reminder:\(accredited.id):90-days", "accreditation-reminder:\(accredited.id):30-days",
                "accreditation-reminder:\(accredited.id):7-days", "accreditation-lapsed:\(accredited.id)",
            ])
        #expect(sent.allSatisfy { $0.to == "hr@halton.example" })
        #expect(sent[0].subject.contains("lapses on 2027-03-01, in 90 days"), "\(sent[0].subject)")
        #expect(sent[1].subject.contains("in 30 days"), "\(sent[1].subject)")
        #expect(sent[2].subject.contains("in 7 days"), "\(sent[2].subject)")
        #expect(sent[3].subject.contains("lapsed on 2027-03-01"), "\(sent[3].subject)")

        // The accredited pledge ended on the lapse day; an aspiring one continues, same commitments.
        let after = try await PledgeStore(pool: pool).list(employerID: lapsing.id)
        #expect(after.count == 2)
        let ended = try #require(after.first { $0.id == accredited.id })
        #expect(ended.validTo == lapseDay)
        let aspiring = try #require(after.first { $0.id != accredited.id })
        #expect(aspiring.tier == "aspiring")
        #expect(aspiring.validFrom == lapseDay && aspiring.validTo == nil)
        #expect(aspiring.livingHours == accredited.livingHours && aspiring.overrides == accredited.overrides)
        #expect(aspiring.charterVersionID == accredited.charterVersionID)
        let audit = try await rows(
            "SELECT entity_id, actor FROM audit_log WHERE action = 'pledge.lapse' ORDER BY id")
        #expect(try audit.map { try $0.decode(String.self, column: "entity_id") } == [String(accredited.id)])
        #expect(try audit.first?.decode(String.self, column: "actor") == "accreditation-renewals")

        // The renewed employer was neither reminded nor lapsed.
        #expect(try await PledgeStore(pool: pool).list(employerID: renewed.id) == Array(renewed.pledges.reversed()))

        // The register: accredited the day before, aspiring from the lapse day; the renewed one accredited.
        let register = RegisterStore(pool: pool)
        let before = try await register.entries(on: lapseDay.adding(days: -1))
        #expect(before.map(\.tier) == [.accredited, .accredited])
        let now = try await register.entries(on: lapseDay)
        #expect(now.first { $0.name == "Halton Care Ltd" }?.tier == .aspiring)
        #expect(now.first { $0.name == "Halton Care Ltd" }?.pledgedOn == lapseDay)
        #expect(now.first { $0.name == "Runcorn Joinery Ltd" }?.tier == .accredited)

        // A repeated occurrence, even two at once, sends nothing more and lapses nothing more.
        // (What the job runs for an occurrence, as a late, repeated or concurrent occurrence would run it.)
        let renewals = AccreditationRenewals(pool: pool, reportQueue: ReportQueue(renderer: renderer))
        async let first = renewals.run(asOf: lapseDay, actor: "accreditation-renewals")
        async let second = renewals.run(asOf: lapseDay, actor: "accreditation-renewals")
        let repeats = try await [
            first, second, renewals.run(asOf: lapseDay.adding(days: -90), actor: "accreditation-renewals"),
        ]
        .map(\.counts)
        #expect(repeats.allSatisfy { $0["emails_queued"] == 0 && $0["pledges_lapsed"] == 0 }, "\(repeats)")
        #expect(try await rows("SELECT id FROM outbox_messages").count == 4)
        #expect(try await PledgeStore(pool: pool).list(employerID: lapsing.id).count == 2)
    }

    @Test func aVersionsAccreditationMonthsSetsTheTermAndALateRoundStillRemindsAndLapses() async throws {
        // A charter version with a 12-month term, in force from 2026: its accreditations lapse a year on.
        try await pool.withConnection { connection in
            try await connection.execute(
                """
                INSERT INTO charter_versions (label, effective_from, params)
                SELECT 'Fair Employment Charter 2026 (12 months)', '2026-01-01', params || '{"accreditation_months": 12}'
                FROM charter_versions WHERE id = (SELECT min(id) FROM charter_versions)
                """)
            try await connection.execute(
                """
                INSERT INTO standards (charter_version_id, standard_id, pillar, title, params, severity_aspiring, severity_accredited)
                SELECT (SELECT id FROM charter_versions WHERE label = 'Fair Employment Charter 2026 (12 months)'),
                       standard_id, pillar, title, params, severity_aspiring, severity_accredited
                FROM standards WHERE charter_version_id = (SELECT min(id) FROM charter_versions)
                """)
        }
        let employer = try await signatory(
            "Widnes Foods Ltd", number: "02345678", contact: "pay@widnes.example",
            [(.accredited, "2026-01-31", nil)])
        let pledge = try #require(employer.pledges.first)
        let term = try #require(try await PledgeStore(pool: pool).accreditedInForce(on: try day("2026-06-01")).first)
        #expect(term.term.months == 12)
        // 31 January + 12 months is 31 January 2027.
        #expect(term.lapseDate == (try day("2027-01-31")))

        let renewals = AccreditationRenewals(
            pool: pool, reportQueue: ReportQueue(renderer: try ReportRenderer(configuration: CharterConfiguration())))
        // 40 days before: the 90-day rung (missed on its own day, made up now); again the next day: nothing.
        let early = try await renewals.run(asOf: try day("2026-12-22"), actor: "test")
        #expect(early.remindersQueued == 1 && early.lapsed.isEmpty)
        #expect(try await renewals.run(asOf: try day("2026-12-23"), actor: "test").remindersQueued == 0)
        // Three days after the lapse day, two rounds at once: one lapses it, as of the lapse day itself.
        async let one = renewals.run(asOf: try day("2027-02-03"), actor: "test")
        async let other = renewals.run(asOf: try day("2027-02-03"), actor: "test")
        let lapsed = try await [one, other].flatMap(\.lapsed)
        #expect(lapsed.map(\.notice.lapseDate) == [try day("2027-01-31")])
        #expect(lapsed.first?.emailQueued == true)
        let after = try await PledgeStore(pool: pool).list(employerID: employer.id)
        #expect(after.first { $0.id == pledge.id }?.validTo == (try day("2027-01-31")))
        #expect(after.first { $0.id != pledge.id }?.tier == "aspiring")
        let keys = try await rows("SELECT dedup_key FROM outbox_messages ORDER BY id").map {
            try $0.decode(String.self, column: "dedup_key")
        }
        #expect(keys == ["accreditation-reminder:\(pledge.id):90-days", "accreditation-lapsed:\(pledge.id)"])
    }
}

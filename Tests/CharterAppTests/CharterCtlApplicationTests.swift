import CharterAccess
import CharterApp
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import PGClient
import Testing

/// `charterctl application list|show|decide` (SPEC §10) as the charter team's shell uses them: usage
/// errors exit 2 before anything runs, a refused decision exits 1 with a sentence, and a decision is
/// stored, emailed and shown alike in text and JSON.
@Suite("charterctl application", .timeLimit(.minutes(10)))
struct CharterCtlApplicationTests {
    @Test func theCharterTeamListsShowsAndDecidesFromTheShell() async throws {
        let database = try await MigratedDatabase("ctl-applications")
        let store = ApplicationStore(pool: database.pool)
        let queue = ReportQueue(renderer: try ReportRenderer(configuration: CharterConfiguration()))
        let employer = try #require(
            try await EmployerStore(pool: database.pool).add(
                Employer(name: "Wirral Care Ltd", companyNumber: CompanyNumber("07654321")), actor: "t"
            ).id)
        let user = try await UserStore(pool: database.pool, hasher: PasswordHasher(iterations: 1_000)).create(
            email: "hr@wirralcare.example", displayName: "Kim HR", role: .employer, employerID: employer, repID: nil,
            password: "a long enough passphrase", by: "t")
        let id = try await store.startForEmployer(employer, userID: user.id, actor: "user:\(user.id)")
        let application = try #require(try await store.find(id: id))
        var details = application.details
        details.sizeBand = "250 to 499"
        details.hasLondonWorkplaces = false
        details.tier = .aspiring
        try await store.save(
            id: id, details: details,
            answers: application.standards.map { StandardAnswer(standardID: $0.standard.id, assessment: .met) },
            requestAnswer: nil, actor: "user:\(user.id)")
        try await store.submit(id: id, actor: "user:\(user.id)", mail: queue)
        await database.pool.close()

        let ctl = CharterCtlTests()
        let environment = ["CHARTERD_DATABASE_URL": database.conninfo]
        let listed = try await ctl.charterctl(
            ["application", "list", "--status", "submitted"], environment: environment)
        #expect(listed.status == 0)
        #expect(listed.stdout.contains("\(id)\tsubmitted\taspiring\t07654321\tWirral Care Ltd"), "\(listed.stdout)")
        let shown = try await ctl.charterctl(["application", "show", String(id)], environment: environment)
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("Application \(id): Wirral Care Ltd — submitted"))
        #expect(shown.stdout.contains("pay.real-living-wage\tmet"))

        for (arguments, words) in [
            (["--decision", "maybe", "--reasons", "x"], "--decision maybe is not a decision"),
            (["--decision", "aspiring", "--reasons", "  "], "--reasons is empty"),
        ] {
            let refused = try await ctl.charterctl(
                ["application", "decide", String(id)] + arguments, environment: environment)
            #expect(refused.status == 2)
            #expect(refused.stderr.contains(words), "\(refused.stderr)")
        }
        let missing = try await ctl.charterctl(
            ["application", "decide", "999", "--decision", "declined", "--reasons", "No."], environment: environment)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("there is no application 999"), "\(missing.stderr)")

        let decided = try await ctl.charterctl(
            [
                "application", "decide", String(id), "--decision", "aspiring", "--reasons", "A good start.", "--format",
                "json",
            ], environment: environment)
        #expect(decided.status == 0, "\(decided.stderr)")
        let view = try JSONSerialization.jsonObject(with: Data(decided.stdout.utf8)) as? [String: Any]
        #expect(view?["status"] as? String == "decided")
        #expect(view?["decision"] as? String == "aspiring")
        #expect(view?["reasons"] as? String == "A good start.")
        #expect(view?["employer_id"] as? Int == Int(employer))

        let again = try await ctl.charterctl(
            ["application", "decide", String(id), "--decision", "declined", "--reasons", "No."],
            environment: environment)
        #expect(again.status == 1)
        #expect(again.stderr.contains("only a submitted application"), "\(again.stderr)")

        let pledges = try await ctl.charterctl(
            ["pledge", "list", "--employer", String(employer), "--format", "json"], environment: environment)
        let list = try JSONSerialization.jsonObject(with: Data(pledges.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(list.map { $0["tier"] as? String } == ["aspiring"])
        let outbox = try await ctl.charterctl(["outbox", "list", "--format", "json"], environment: environment)
        let kinds = (try JSONSerialization.jsonObject(with: Data(outbox.stdout.utf8)) as? [[String: Any]] ?? [])
            .compactMap { $0["kind"] as? String }
        #expect(kinds.filter { $0 == "application" }.count == 2, "received and decided: \(kinds)")
    }
}

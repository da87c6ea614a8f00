import CharterAccess
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import PGClient
import TestSupport
import Testing

/// The pages in a real browser: `Tests/Browser/walkthrough.py` drives headless Chromium, with
/// JavaScript off, against a live `charterd` — sign-in (and back to the page a link named), the queue
/// at phone width, a flag acknowledged and resolved through its forms with a message after each,
/// the 404 page, sign-out, an employer's due dates and upload refused then confirmed with its warnings,
/// and the administration page — with axe-core run on every page.
///
/// Chromium, chromium-driver, selenium and axe-playwright-python come from the README's test command; when one is missing
/// the walkthrough exits 3 and this test fails saying so — it never skips.
@Suite("The web pages in a browser", .timeLimit(.minutes(10)))
struct BrowserWalkthroughTests {
    @Test func aRepAndAnEmployerWalkThroughThePages() async throws {
        let password = "correct horse battery staple"
        let database = try await MigratedDatabase("web-browser")
        let conninfo = database.conninfo
        let pool = database.pool
        let employer = try #require(
            try await EmployerStore(pool: pool).add(Employer(name: "Sefton Care CIC"), actor: "test").id)
        _ = try await PledgeStore(pool: pool).add(
            employerID: employer, tier: .aspiring, livingHours: false, overrides: PledgeOverrides(),
            validFrom: CalendarDate(year: 2026, month: 1, day: 1)!, validTo: nil, actor: "test")
        let rep = try await RepStore(pool: pool).add(
            name: "Jo Rep", email: "jo@union.example", unionName: nil, covers: [employer], actor: "test")
        // charterd checks with the full-strength hasher; a cheap hash is accepted (and upgraded) at sign-in.
        let users = UserStore(pool: pool, hasher: PasswordHasher(iterations: 1_000))
        _ = try await users.create(
            email: "jo@union.example", displayName: "Jo Rep", role: .rep, employerID: nil, repID: rep.id,
            password: password, by: "test")
        _ = try await users.create(
            email: "hr@sefton.example", displayName: "Sam HR", role: .employer, employerID: employer, repID: nil,
            password: password, by: "test")
        _ = try await users.create(
            email: "team@charter.example", displayName: "Charter Team", role: .admin, employerID: nil, repID: nil,
            password: password, by: "test")
        _ = try await NightlyCompliance(pool: pool).run(asOf: CalendarDate(year: 2026, month: 11, day: 27)!)
        let flag = try #require(
            try await FlagStore(pool: pool).list(
                FlagStore.Filter(employerID: employer, state: .open), visible: .all, cursor: nil, limit: 1
            ).flags.first)
        await pool.close()

        let work = URL(fileURLWithPath: "/tmp/cw-browser-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let daemon = try DaemonProcess(database: conninfo, stateDirectory: work.appending(path: "state"))
        try await BrowserWalk.run(
            "walkthrough.py", against: daemon, arguments: [work.path],
            environment: [
                "CW_PASSWORD": password, "CW_EMPLOYER_ID": String(employer), "CW_FLAG_ID": String(flag.id),
            ], artefacts: "walkthrough")
        #expect(try await daemon.terminate() == 0)
    }

    /// Where a browser test keeps its screenshots: `artefacts/browser/<name>` in the repository (ignored
    /// by git), emptied first so what is there is this run's.
    static func artefacts(_ name: String) -> URL {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appending(path: "artefacts/browser/\(name)")
        try? FileManager.default.removeItem(at: directory)
        return directory
    }

}

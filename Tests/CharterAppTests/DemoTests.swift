import CharterAccess
import CharterApp
import CharterDomain
import CharterStore
import Foundation
import PGClient
import TestSupport
import Testing

/// The demo the README's first command seeds: realistic, seeded once, and visible to a demo rep.
@Suite("The demo charter", .timeLimit(.minutes(10)))
struct DemoTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let employersFile = repository.appending(path: "demo/employers-gpg.csv")

    @Test func theDemoIsSeededOnceWithCleanEmployersAndASpreadOfBreaches() async throws {
        let pool = try await MigratedDatabase("demo").pool
        defer { Task { await pool.close() } }
        let file = try Data(contentsOf: Self.employersFile)
        let today = CalendarDate(year: 2026, month: 11, day: 27)!
        let hasher = PasswordHasher(iterations: 1_000)
        let seeded = try #require(
            try await CharterDemo.seedIfEmpty(pool: pool, gpgFile: file, today: today, hasher: hasher))
        #expect(seeded.employers == 14)
        // Two quarters each, but for the one employer whose last return is missing.
        #expect(seeded.returns == 27)
        #expect(Set(seeded.signIns.map(\.role)) == ["admin", "rep", "employer"])

        let flags = try await FlagStore(pool: pool).list(
            FlagStore.Filter(), visible: .all, cursor: nil, limit: 500
        ).flags
        #expect(flags.count == seeded.flagsOpened)
        let flagged = Set(flags.map(\.employerID))
        let employers = try await EmployerStore(pool: pool).list()
        #expect(employers.count == 14)
        // Clean employers and breaching ones, both.
        #expect(flagged.count >= 6 && flagged.count <= 10, "flagged employers: \(flagged.count)")
        let standards = Set(flags.map(\.standardID))
        for standard in [
            "pay.minimum-wage", "pay.real-living-wage", "hours.zero-hours-consent", "hours.reflect-actual",
            "health.sick-pay-day-one", "just.union-access", "gov.return-missing",
        ] {
            #expect(standards.contains(standard), "no \(standard) flag in the demo")
        }
        #expect(Set(flags.map(\.severity)).isSuperset(of: [.critical, .breach, .warning]))
        // Returns carry their (demo) received dates: most arrived before their due date, one late.
        #expect(flags.filter { $0.standardID == "gov.return-late" }.count == 1)

        // A second time, nothing changes.
        #expect(try await CharterDemo.seedIfEmpty(pool: pool, gpgFile: file, today: today, hasher: hasher) == nil)
        #expect(try await EmployerStore(pool: pool).list().count == 14)
    }

    /// `charterctl demo` on the fresh state directory `state`, as the README's first command seeds it:
    /// the environment that reaches that state (for charterctl and charterd) and the sign-ins it printed.
    static func seed(_ state: URL) async throws -> (environment: [String: String], seeded: CharterDemo.Seeded) {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CHARTERD_") }
        environment["CHARTERD_STATE_DIR"] = state.path
        let seed = try SpawnedProcess(
            SpawnedProcess.builtExecutable("charterctl"),
            ["demo", "--employers", employersFile.path, "--format", "json"], environment: environment)
        let seedStatus = try await seed.exitStatus()
        #expect(seedStatus == 0, Comment(rawValue: seed.standardOutput + seed.standardError))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return (environment, try decoder.decode(CharterDemo.Seeded.self, from: Data(seed.standardOutput.utf8)))
    }

    /// The README's first command on a fresh clone: `charterctl demo` on a new embedded cluster, then
    /// `charterd` on it; a demo rep signs in in headless Chromium and sees the demo's flags.
    @Test func aDemoRepSeesTheDemoFlagsInABrowser() async throws {
        let state = URL(fileURLWithPath: "/tmp/cw-demo-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }
        let (_, seeded) = try await Self.seed(state)
        let rep = try #require(seeded.signIns.first { $0.role == "rep" })

        let daemon = try DaemonProcess(stateDirectory: state)
        let url = try await daemon.listeningURL()
        var browserEnvironment = ProcessInfo.processInfo.environment
        browserEnvironment["CW_EMAIL"] = rep.email
        browserEnvironment["CW_PASSWORD"] = rep.password
        browserEnvironment["CW_EMPLOYER"] = "MERSEY FERRIES CATERING LIMITED"
        browserEnvironment["CW_ARTEFACTS"] = BrowserWalkthroughTests.artefacts("demo").path
        let script = Self.repository.appending(path: "Tests/Browser/demo.py").path
        let browser = try SpawnedProcess(
            "/usr/bin/env", ["python3", script, url.absoluteString], environment: browserEnvironment)
        // A browser that hangs is stopped after two minutes; the test fails with what it and charterd said.
        let status = try? await browser.exitStatus(within: .seconds(120))
        #expect(
            status == 0,
            Comment(rawValue: "\(browser.standardOutput)\(browser.standardError)\ncharterd's log:\n\(daemon.log)"))
        #expect(try await daemon.terminate() == 0)
    }
}

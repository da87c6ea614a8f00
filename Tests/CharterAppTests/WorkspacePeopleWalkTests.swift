import CharterApp
import Foundation
import TestSupport
import Testing

/// The people side of the workspace in a real browser: `Tests/Browser/workspace_people.py` signs in as
/// the demo's admin on a demo charterd and, only through pages, registers an employer, imports a GPG CSV
/// by upload (preview, then confirm), adds a contact and a pledge with an override, adds a rep covering
/// the employer, invites a user, and creates and revokes a token, with axe-core on every page. Each effect
/// is then checked through `charterctl … --format json`, as the charter team's shell would see it.
@Suite("The workspace's people pages in a browser", .timeLimit(.minutes(10)))
struct WorkspacePeopleWalkTests {
    @Test func theDemoAdminManagesEmployersRepsUsersAndTokensThroughThePages() async throws {
        let state = URL(fileURLWithPath: "/tmp/cw-people-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }
        let (environment, seeded) = try await DemoTests.seed(state)
        let admin = try #require(seeded.signIns.first { $0.role == "admin" })

        let daemon = try DaemonProcess(stateDirectory: state)
        let work = state.appending(path: "walk")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let passed = try await BrowserWalk.run(
            "workspace_people.py", against: daemon, arguments: [work.path],
            environment: ["CW_EMAIL": admin.email, "CW_PASSWORD": admin.password], artefacts: "workspace-people")

        if passed {
            let made =
                try JSONSerialization.jsonObject(with: Data(contentsOf: work.appending(path: "walk.json")))
                as? [String: Any] ?? [:]
            let employer = try #require(made["employer_id"] as? Int)
            let prefix = try #require(made["token_prefix"] as? String)

            let shown = try await Self.charterctl(["employer", "show", String(employer)], environment)
            let shownEmployer = shown["employer"] as? [String: Any]
            #expect(shownEmployer?["name"] as? String == "Halton Community Buses CIC")
            #expect(shownEmployer?["company_number"] as? String == "SC654321")
            let pledges = try await Self.charterctlList(
                ["pledge", "list", "--employer", String(employer)], environment)
            #expect(pledges.count == 1)
            #expect(pledges.first?["tier"] as? String == "accredited")
            #expect((pledges.first?["overrides"] as? String)?.contains("threshold_percent") == true)

            let imported = try await Self.charterctlList(["employer", "list", "--search", "SAFER TRAVEL"], environment)
            #expect(imported.count == 1)
            #expect(try await Self.charterctlList(["employer", "list", "--search", "BROKEN ROW"], environment).isEmpty)

            let reps = try await Self.charterctlList(["rep", "list"], environment)
            let rep = reps.first { $0["email"] as? String == made["rep_email"] as? String }
            // Added covering the new employer (by company number), then the hotel typed by name on their page.
            let hotel = try await Self.charterctlList(
                ["employer", "list", "--search", "LIVERPOOL WATERFRONT HOTELS"], environment)
            let hotelID = try #require(hotel.first?["id"] as? Int)
            #expect((rep?["covered_employer_ids"] as? [Int])?.sorted() == [employer, hotelID].sorted())

            let users = try await Self.charterctlList(["user", "list"], environment)
            let invited = users.first { $0["email"] as? String == made["user_email"] as? String }
            #expect(invited?["role"] as? String == "viewer")

            let tokens = try await Self.charterctlList(["token", "list"], environment)
            let token = tokens.first { $0["prefix"] as? String == prefix }
            #expect(token?["role"] as? String == "employer")
            #expect(token?["employer_id"] as? Int == employer)
            #expect(token?["revoked_at"] is String)
        }
        #expect(try await daemon.terminate() == 0)
    }

    /// `charterctl <arguments> --format json`'s object.
    static func charterctl(_ arguments: [String], _ environment: [String: String]) async throws -> [String: Any] {
        try await run(arguments, environment) as? [String: Any] ?? [:]
    }

    /// `charterctl <arguments> --format json`'s list of objects.
    static func charterctlList(_ arguments: [String], _ environment: [String: String]) async throws -> [[String: Any]] {
        try await run(arguments, environment) as? [[String: Any]] ?? []
    }

    static func run(_ arguments: [String], _ environment: [String: String]) async throws -> Any {
        let process = try SpawnedProcess(
            SpawnedProcess.builtExecutable("charterctl"), arguments + ["--format", "json"], environment: environment)
        let status = try await process.exitStatus()
        #expect(status == 0, Comment(rawValue: "charterctl \(arguments): \(process.standardError)"))
        return try JSONSerialization.jsonObject(with: Data(process.standardOutput.utf8))
    }
}

import CharterAccess
import CharterApp
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import PGClient
import Scheduling
import TestSupport
import Testing

/// The operations side of the workspace in a real browser: `Tests/Browser/workspace_operations.py`
/// signs in as the demo admin on a live `charterd` and, only through pages, grants and revokes an
/// exemption, drafts, previews and publishes a charter version, runs the nightly job dry and for real,
/// requeues a dead message, filters the audit log and verifies the chain, with axe-core on every page.
/// Each effect is then checked through `charterctl … --format json`.
@Suite("The workspace's operations in a browser", .timeLimit(.minutes(10)))
struct WorkspaceOperationsWalkTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func theDemoAdminRunsTheOperationsThroughThePages() async throws {
        let database = try await MigratedDatabase("ops-walk")
        let conninfo = database.conninfo
        let pool = database.pool
        let seeded = try #require(
            try await CharterDemo.seedIfEmpty(
                pool: pool, gpgFile: try Data(contentsOf: Self.repository.appending(path: "demo/employers-gpg.csv")),
                today: CalendarDate(Date(), in: .europeLondon), hasher: PasswordHasher(iterations: 1_000)))
        let admin = try #require(seeded.signIns.first { $0.role == "admin" })
        // The employer to exempt, as a person types it: its company number, else its name.
        let first = try #require(try await EmployerStore(pool: pool).list().first)
        let employer = first.companyNumber?.description ?? first.name
        let employerID = try #require(first.id)
        // A message the relay refused for good: dead, with the server's reply.
        let source =
            "From: cw@example.org\r\nTo: bounce@example.org\r\nSubject: Reminder\r\n\r\nYour return is due.\r\n"
        try await pool.withConnection { connection in
            _ = try await OutboxStore.enqueue(
                OutboxMessage(
                    kind: .reminder, dedupKey: "walk-dead", sender: "cw@example.org",
                    recipients: ["bounce@example.org"],
                    subject: "Reminder", message: Array(source.utf8),
                    contentDigest: OutboxMessage.digest(of: Array(source.utf8))), on: connection)
        }
        let outbox = OutboxStore(pool: pool)
        let dead = try #require(
            try await outbox.claim(limit: 10, worker: "walk", lease: 60, now: Date()).first {
                $0.recipients == ["bounce@example.org"]
            }?.id)
        _ = try await outbox.markFailed(
            id: dead, worker: "walk", transient: false,
            reply: "550 5.1.1 <bounce@example.org>: Recipient address rejected",
            now: Date())
        #expect(try await outbox.find(id: dead)?.state == .dead)
        await pool.close()

        let work = URL(fileURLWithPath: "/tmp/cw-ops-walk-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: work) }
        let daemon = try DaemonProcess(database: conninfo, stateDirectory: work.appending(path: "state"))
        try await BrowserWalk.run(
            "workspace_operations.py", against: daemon,
            environment: [
                "CW_EMAIL": admin.email, "CW_PASSWORD": admin.password, "CW_EMPLOYER": employer,
                "CW_DEAD_ID": String(dead),
            ], artefacts: "workspace-operations", within: .seconds(300))
        #expect(try await daemon.terminate() == 0)

        // Each step's effect, through charterctl.
        let ctl = ["CHARTERD_DATABASE_URL": conninfo]
        func json(_ arguments: [String]) async throws -> Any {
            let outcome = try await CharterCtlTests().charterctl(arguments + ["--format", "json"], environment: ctl)
            #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
            return try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8))
        }
        let exemptions = try #require(
            try await json(["exemption", "list", "--employer", String(employerID)]) as? [[String: Any]])
        #expect(
            exemptions.contains {
                $0["standard_id"] as? String == "gov.return-missing" && $0["revoked_at"] != nil
                    && !($0["revoked_at"] is NSNull) && ($0["revoked_by"] as? String)?.hasPrefix("user:") == true
            }, "\(exemptions)")
        let listed = try #require(try await json(["outbox", "list", "--limit", "10000"]) as? [[String: Any]])
        let requeued = try #require(listed.first { ($0["id"] as? NSNumber)?.int64Value == dead })
        #expect(requeued["state"] as? String != "dead")
        let verification = try #require(try await json(["audit", "verify"]) as? [String: Any])
        #expect(verification["intact"] as? Bool == true)

        let check = PGPool(configuration: PGPoolConfiguration(conninfo: conninfo))
        let versions = try await CharterVersionStore(pool: check).summaries()
        let published = try #require(versions.first { $0.label == "Walk charter 2027" })
        #expect(!published.isDraft)
        #expect(
            try await CharterVersionStore(pool: check).version(id: published.id)?.standard("hours.zero-hours-share")?
                .defaults.parameters["threshold_percent"]?.number == 2)
        let byHand = try await JobRunLog(pool: check).page(job: "nightly-compliance", offset: 0, limit: 100).filter {
            $0.triggeredBy?.hasPrefix("user:") == true
        }
        #expect(byHand.count == 1, "one real run by hand; the dry run recorded nothing")
        await check.close()
    }
}

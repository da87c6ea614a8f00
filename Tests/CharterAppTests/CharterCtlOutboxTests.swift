import CharterStore
import Foundation
import PGClient
import TestSupport
import Testing

/// `charterctl outbox`, as the charter team uses it to see what was sent, requeue and export.
@Suite("charterctl outbox", .timeLimit(.minutes(10)))
struct CharterCtlOutboxTests {
    let environment: [String: String]
    let pool: PGPool
    let directory: URL

    init() async throws {
        let database = try await MigratedDatabase("ctloutbox")
        let conninfo = database.conninfo
        environment = ["CHARTERD_DATABASE_URL": conninfo]
        pool = database.pool
        directory = FileManager.default.temporaryDirectory.appending(path: "ctl-outbox-\(UUID().uuidString.prefix(8))")
    }

    func run(_ arguments: [String]) async throws -> CharterCtlTests.Outcome {
        try await CharterCtlTests().charterctl(arguments, environment: environment)
    }

    func text(_ key: String) -> String {
        "From: charter@example.org\r\nTo: ops@example.org\r\nSubject: \(key)\r\n\r\nReminder \(key)\r\n"
    }

    /// Two messages: the first dead after a 550, the second queued. Their ids.
    func queueTwoAndKillTheFirst() async throws -> (dead: Int64, queued: Int64) {
        try await pool.withTransaction { connection in
            for key in ["reminder:ops@example.org:2026-Q3", "reminder:ops@example.org:2026-Q4"] {
                try await OutboxStore.enqueue(
                    OutboxMessage(
                        kind: .reminder, dedupKey: key, sender: "charter@example.org", recipients: ["ops@example.org"],
                        subject: key, message: Array(text(key).utf8),
                        contentDigest: OutboxMessage.digest(of: Array(key.utf8))),
                    on: connection)
            }
        }
        let store = OutboxStore(pool: pool)
        let now = Date().addingTimeInterval(3600)
        let first = try #require(try await store.claim(limit: 1, worker: "w", lease: 60, now: now).first)
        try await store.markFailed(
            id: first.id, worker: "w", transient: false, reply: "550 5.1.1 <ops@example.org> unknown", now: now)
        let others = try await store.list(state: .queued)
        return (first.id, try #require(others.first?.id))
    }

    @Test func listShowsTheDeadWithTheServersReplyAndRequeueQueuesThemAgain() async throws {
        let (dead, queued) = try await queueTwoAndKillTheFirst()
        let listed = try await run(["outbox", "list", "--state", "dead", "--format", "json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["id"] as? Int } == [Int(dead)])
        #expect(rows.first?["last_error"] as? String == "550 5.1.1 <ops@example.org> unknown")
        #expect(rows.first?["state"] as? String == "dead")

        let all = try await run(["outbox", "list"])
        #expect(all.status == 0)
        #expect(all.stdout.contains("2 messages"))
        #expect(all.stdout.contains("550 5.1.1"))

        let requeued = try await run(["outbox", "requeue", "\(dead)"])
        #expect(requeued.status == 0, "\(requeued.stderr)")
        #expect(try await OutboxStore(pool: pool).find(id: dead)?.state == .queued)
        let audit = try await pool.withConnection {
            try await $0.query("SELECT actor FROM audit_log WHERE action = 'outbox.requeue'")
        }
        #expect(
            try audit.map { try $0.decode(String.self, column: "actor") }.allSatisfy { $0.hasPrefix("charterctl:") })
        #expect(audit.count == 1)

        // Only a dead message can be requeued; an unknown one is named; a malformed id is a usage error.
        let again = try await run(["outbox", "requeue", "\(queued)"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("only a dead message can be requeued"))
        let missing = try await run(["outbox", "requeue", "999999"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no outbox message 999999"))
        let malformed = try await run(["outbox", "list", "--state", "lost"])
        #expect(malformed.status == 2)
    }

    @Test func exportWritesEachMessageAsItsIdDotEml() async throws {
        let (dead, queued) = try await queueTwoAndKillTheFirst()
        defer { try? FileManager.default.removeItem(at: directory) }
        let exported = try await run(["outbox", "export", "--dir", directory.path, "--format", "json"])
        #expect(exported.status == 0, "\(exported.stderr)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(exported.stdout.utf8)) as? [String: Any])
        #expect((report["written"] as? [Int])?.sorted() == [Int(dead), Int(queued)].sorted())
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(files == ["\(dead).eml", "\(queued).eml"].sorted())
        let bytes = try Data(contentsOf: directory.appending(path: "\(queued).eml"))
        #expect(bytes == Data(text("reminder:ops@example.org:2026-Q4").utf8))

        let onlyQueued = directory.appending(path: "queued")
        let filtered = try await run(["outbox", "export", "--dir", onlyQueued.path, "--state", "queued"])
        #expect(filtered.status == 0, "\(filtered.stderr)")
        #expect(filtered.stdout.contains("Wrote 1 message"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: onlyQueued.path) == ["\(queued).eml"])
    }
}

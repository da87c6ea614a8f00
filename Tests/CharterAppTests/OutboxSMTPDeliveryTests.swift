import CharterApp
import CharterStore
import Foundation
import Logging
import MailTransport
import PGClient
import Scheduling
import SchedulingTestSupport
import ServiceLifecycle
import TestSupport
import Testing

/// The outbox delivered through the real SMTP client to a real SMTP server (aiosmtpd with STARTTLS and
/// AUTH, from `Tests/TestSupport/smtp_server.py`): what arrives, and how often.
@Suite("Outbox delivery over SMTP", .timeLimit(.minutes(10)))
struct OutboxSMTPDeliveryTests {
    let conninfo: String
    let pool: PGPool
    var store: OutboxStore { OutboxStore(pool: pool) }

    init() async throws {
        let database = try await MigratedDatabase("outbox-smtp")
        conninfo = database.conninfo
        pool = database.pool
    }

    /// An SMTP transport to the test server on `port`, trusting its certificate, as charterd builds one.
    func transport(port: Int) throws -> OutboxMailTransport {
        var settings = SMTPSettings(
            host: "127.0.0.1", port: port, security: .startTLS, username: SMTPTestServer.username,
            password: SMTPTestServer.password)
        settings.trustedCertificatePath = TestCertificate.shared.certificatePath
        settings.connectTimeout = .seconds(5)
        settings.commandTimeout = .seconds(10)
        return OutboxMailTransport(try SMTPClient(settings: settings))
    }

    /// Queues one message per key, addressed to `recipient`, with the key as its subject.
    @discardableResult
    func enqueue(_ keys: [String], to recipient: String = "rep@example.org") async throws -> [Int64] {
        try await pool.withTransaction { connection in
            for key in keys {
                let text = """
                    From: charter@example.org\r
                    To: \(recipient)\r
                    Subject: \(key)\r
                    Message-ID: <\(key)@charter.example.org>\r
                    \r
                    Flag digest \(key).\r
                    .\r
                    ..a line that starts with a dot\r

                    """
                try await OutboxStore.enqueue(
                    OutboxMessage(
                        kind: .employerDigest, dedupKey: key, sender: "charter@example.org", recipients: [recipient],
                        subject: key, message: Array(text.utf8),
                        contentDigest: OutboxMessage.digest(of: Array(key.utf8))),
                    on: connection)
            }
        }
        return try await store.list(limit: 10_000).filter { keys.contains($0.dedupKey) }.map(\.id).sorted()
    }

    /// The subjects the server received, each as often as it arrived.
    func arrivals(_ server: SMTPTestServer) throws -> [String] {
        try server.deliveries().map { delivery in
            let text = String(decoding: delivery.bytes, as: UTF8.self)
            return text.split(separator: "\r\n").first { $0.hasPrefix("Subject: ") }.map { String($0.dropFirst(9)) }
                ?? ""
        }
    }

    func running<T: Sendable>(_ services: [any Service], _ body: () async throws -> T) async throws -> T {
        try await runningServices(services, body)
    }

    func manualClock() -> ManualJobClock { aheadOfTheDatabase() }

    @Test func everyQueuedMessageArrivesExactlyOnceOverSTARTTLS() async throws {
        let keys = (1...25).map { "digest-\($0)" }
        try await enqueue(keys)
        try await SMTPTestServer.with { server in
            let events = DeliveryEvents()
            let worker = OutboxDelivery(
                pool: pool, listenConninfo: conninfo, transport: try transport(port: server.port),
                onEvent: events.record)
            try await running([worker]) {
                for _ in keys { _ = try await events.nextSent() }
            }
            #expect(try arrivals(server).sorted() == keys.sorted())
            let deliveries = try server.deliveries()
            #expect(deliveries.allSatisfy { $0.tls && $0.auth_mechanism != nil })
            // Dot-stuffing is undone by the server: the lines arrive as queued.
            #expect(deliveries.allSatisfy { String(decoding: $0.bytes, as: UTF8.self).contains("\r\n.\r\n..a line") })
            // Each claimed batch (10 at most) goes over one connection: 10, 10 and 5.
            #expect(Set(deliveries.map(\.peer)).count == 3)
        }
        #expect(try await store.list(state: .sent, limit: 100).count == keys.count)
    }

    @Test func withTheRelayDownEverythingArrivesOnceAfterRetries() async throws {
        // A port a server had: stopped now, it refuses connections until a server listens there again.
        let port = try await SMTPTestServer.with { $0.port }
        let keys = (1...4).map { "retry-\($0)" }
        try await enqueue(keys)
        let events = DeliveryEvents()
        let clock = manualClock()
        var configuration = OutboxDelivery.Configuration()
        configuration.retry.jitter = 0
        configuration.retry.base = 60
        configuration.pollInterval = 30
        let worker = OutboxDelivery(
            pool: pool, listenConninfo: nil, transport: try transport(port: port), clock: clock,
            configuration: configuration, onEvent: events.record)
        let arrived = try await running([worker]) { () -> [String] in
            var retryAt: [Date] = []
            for _ in keys {
                let failure = try await events.nextFailure()
                #expect(failure.state == .queued)
                retryAt.append(try #require(failure.next))
            }
            let failed = try await store.list(state: .queued, limit: 100)
            #expect(failed.allSatisfy { $0.attempts == 1 && $0.lastError?.isEmpty == false })
            return try await SMTPTestServer.with(["--port", "\(port)"]) { server in
                await clock.waitForSleepers(1)
                clock.advance(to: try #require(retryAt.max()))
                for _ in keys { _ = try await events.nextSent() }
                return try arrivals(server)
            }
        }
        #expect(arrived.sorted() == keys.sorted())
    }

    @Test func aRefusedRecipientEndsDeadWithTheServersReply() async throws {
        let bounce = "nobody@example.org"
        let ids = try await enqueue(["bounce"], to: bounce)
        try await SMTPTestServer.with(["--reject", bounce]) { server in
            let events = DeliveryEvents()
            let worker = OutboxDelivery(
                pool: pool, listenConninfo: conninfo, transport: try transport(port: server.port),
                onEvent: events.record)
            let state = try await running([worker]) { try await events.nextFailure().state }
            #expect(state == .dead)
            #expect(try server.deliveries().isEmpty)
        }
        let dead = try #require(try await store.find(id: ids[0]))
        #expect(dead.state == .dead)
        #expect(dead.lastError?.hasPrefix("550") == true)
        #expect(dead.lastError?.contains("Recipient address rejected") == true)
    }

    @Test func twoWorkersOnOneDatabaseNeverSendAMessageTwice() async throws {
        let keys = (1...60).map { "pair-\($0)" }
        try await enqueue(keys)
        try await SMTPTestServer.with { server in
            let events = DeliveryEvents()
            var configuration = OutboxDelivery.Configuration()
            configuration.batchSize = 4
            let workers = try (0..<2).map { index in
                OutboxDelivery(
                    pool: pool, listenConninfo: conninfo, transport: try transport(port: server.port),
                    worker: "worker-\(index)", configuration: configuration, onEvent: events.record)
            }
            try await running(workers) {
                for _ in keys { _ = try await events.nextSent() }
            }
            let arrived = try arrivals(server)
            #expect(arrived.count == keys.count)
            #expect(Set(arrived) == Set(keys))
        }
    }

    @Test func aRestartMidDeliveryLosesAndDuplicatesNothing() async throws {
        let keys = (1...30).map { "restart-\($0)" }
        try await enqueue(keys)
        try await SMTPTestServer.with { server in
            var configuration = OutboxDelivery.Configuration()
            configuration.batchSize = 6
            // The first charterd stops gracefully (SIGTERM) after eight messages, mid-batch.
            let first = DeliveryEvents()
            let before = OutboxDelivery(
                pool: pool, listenConninfo: conninfo, transport: try transport(port: server.port),
                worker: "before-restart", configuration: configuration, onEvent: first.record)
            try await running([before]) {
                for _ in 1...8 { _ = try await first.nextSent() }
            }
            let sentBefore = try await store.list(state: .sent, limit: 100).count
            #expect(sentBefore >= 8 && sentBefore < keys.count)
            #expect(try await store.list(state: .sending, limit: 100).isEmpty)
            // The restarted one sends the rest.
            let second = DeliveryEvents()
            let after = OutboxDelivery(
                pool: pool, listenConninfo: conninfo, transport: try transport(port: server.port),
                worker: "after-restart", configuration: configuration, onEvent: second.record)
            try await running([after]) {
                for _ in sentBefore..<keys.count { _ = try await second.nextSent() }
            }
            let arrived = try arrivals(server)
            #expect(arrived.count == keys.count)
            #expect(Set(arrived) == Set(keys))
        }
        #expect(try await store.list(state: .sent, limit: 100).count == keys.count)
    }
}

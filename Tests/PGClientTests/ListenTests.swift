import PGClient
import TestSupport
import Testing

@Suite("LISTEN / NOTIFY", .timeLimit(.minutes(10)))
struct ListenTests {
    let conninfo: String
    init() async throws { conninfo = try await TestCluster.freshDatabase("listen") }

    @Test func deliversNotificationsAndListensAgainAfterItsBackendIsKilled() async throws {
        let (listening, listeningContinuation) = AsyncStream<Int32>.makeStream()
        let (received, receivedContinuation) = AsyncStream<PGNotification>.makeStream()
        let listener = PGListener(conninfo: conninfo, channels: ["flags", "runs"]) { pid in
            listeningContinuation.yield(pid)
        }
        let sender = try await PGConnection.connect(conninfo)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await notification in listener { receivedContinuation.yield(notification) }
            }
            var pids = listening.makeAsyncIterator()
            var notifications = received.makeAsyncIterator()

            let firstPID = try #require(await pids.next())
            try await sender.execute("SELECT pg_notify('flags', \("flag 7 opened"))")
            let first = try #require(await notifications.next())
            #expect(first.channel == "flags")
            #expect(first.payload == "flag 7 opened")

            // Kill the listener's backend: it must reconnect and LISTEN again on every channel.
            try await sender.execute("SELECT pg_terminate_backend(\(firstPID))")
            let secondPID = try #require(await pids.next())
            #expect(secondPID != firstPID)
            try await sender.execute("SELECT pg_notify('runs', 'nightly done')")
            let second = try #require(await notifications.next())
            #expect(second.channel == "runs")
            #expect(second.payload == "nightly done")
            group.cancelAll()
        }
    }
}

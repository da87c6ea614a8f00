import PGClient
import TestSupport
import Testing

@Suite("Connection pool", .timeLimit(.minutes(10)))
struct PoolTests {
    let conninfo: String
    init() async throws { conninfo = try await TestCluster.freshDatabase("pool") }

    @Test func anExhaustedPoolTimesOut() async throws {
        var configuration = PGPoolConfiguration(conninfo: conninfo)
        configuration.maxConnections = 2
        configuration.acquireTimeout = .milliseconds(300)
        let pool = PGPool(configuration: configuration)
        let (held, heldContinuation) = AsyncStream<Void>.makeStream()
        let (release, releaseContinuation) = AsyncStream<Void>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    try await pool.withConnection { _ in
                        heldContinuation.yield()
                        for await _ in release { break }
                    }
                }
            }
            var heldIterator = held.makeAsyncIterator()
            await heldIterator.next()
            await heldIterator.next()
            let error = await #expect(throws: PGError.self) {
                try await pool.withConnection { _ in }
            }
            #expect(error?.code == .poolTimeout)
            releaseContinuation.finish()
            try await group.waitForAll()
        }
        // Once returned, connections serve again.
        try await pool.withConnection { try await $0.execute("SELECT 1") }
        await pool.close()
    }

    /// Ten statements sleeping fifteen seconds each keep every pool connection's thread busy, with ten more
    /// queued behind them; the cooperative pool must stay free, so a quick query on another connection
    /// answers while all of them are still asleep.
    ///
    /// If libpq blocked the cooperative threads (two on this machine), the probe could not resume before a
    /// sleeper woke. So the check is an order of events — no sleeper had finished when the probe answered —
    /// not a time limit, which a loaded machine (a full test run) would stretch: a probe took 0.8 s once
    /// against a 0.5 s limit here, and with five-second sleepers a probe once came after the first wave woke in
    /// a full run with three browser walks at once, so the sleepers sleep long enough for any probe.
    @Test func sleepingStatementsDoNotBlockTheCooperativePool() async throws {
        var configuration = PGPoolConfiguration(conninfo: conninfo)
        configuration.maxConnections = 10
        configuration.acquireTimeout = .seconds(60)
        let pool = PGPool(configuration: configuration)
        let probe = try await PGConnection.connect(conninfo)
        let finished = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    _ = try await pool.withConnection { try await $0.execute("SELECT pg_sleep(15)") }
                    _ = finished.increment()
                }
            }
            // Let the sleepers take every connection and queue the rest.
            while pool.statistics.inUse < 10 { await Task.yield() }
            for _ in 0..<5 {
                try await probe.execute("SELECT 1")
                #expect(finished.current == 0, "a probe waited for a sleeping statement")
                #expect(pool.statistics.inUse == 10, "probes must run while the pool is saturated")
            }
            try await group.waitForAll()
        }
        #expect(finished.current == 20)
        #expect(pool.statistics.inUse == 0)
        await pool.close()
    }

    @Test func aConnectionReturnedInsideATransactionIsDiscarded() async throws {
        let pool = PGPool(configuration: PGPoolConfiguration(conninfo: conninfo))
        let firstPID = try await pool.withConnection { connection in
            try await connection.simpleQuery("BEGIN")
            return connection.backendPID
        }
        #expect(pool.statistics.idle == 0)
        let secondPID = try await pool.withConnection { $0.backendPID }
        #expect(firstPID != secondPID)
        await pool.close()
    }

    @Test func aBrokenConnectionIsReplaced() async throws {
        let pool = PGPool(configuration: PGPoolConfiguration(conninfo: conninfo))
        let firstPID = try await pool.withConnection { $0.backendPID }
        let killer = try await PGConnection.connect(conninfo)
        // With a timeout, pg_terminate_backend waits until the backend is gone.
        try await killer.execute("SELECT pg_terminate_backend(\(firstPID), 5000)")
        // The idle connection is dead; the pool must notice before handing it out.
        let secondPID = try await pool.withConnection { connection in
            try await connection.execute("SELECT 1")
            return connection.backendPID
        }
        #expect(secondPID != firstPID)
        await pool.close()
    }

    @Test func aClosedPoolRefusesLeases() async throws {
        let pool = PGPool(configuration: PGPoolConfiguration(conninfo: conninfo))
        await pool.close()
        let error = await #expect(throws: PGError.self) { try await pool.withConnection { _ in } }
        #expect(error?.code == .poolClosed)
    }

    @Test func keepAliveFindsAndClosesADeadIdleConnection() async throws {
        var configuration = PGPoolConfiguration(conninfo: conninfo)
        configuration.keepAliveInterval = .milliseconds(200)
        let pool = PGPool(configuration: configuration)
        let pid = try await pool.withConnection { $0.backendPID }
        #expect(pool.statistics.idle == 1)
        let killer = try await PGConnection.connect(conninfo)
        try await killer.execute("SELECT pg_terminate_backend(\(pid), 5000)")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pool.run() }
            // A bound, not a pause: a loaded machine (the whole suite at once) has taken more than 10 s.
            let deadline = ContinuousClock.now + .seconds(60)
            while pool.statistics.idle + pool.statistics.inUse > 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(pool.statistics.idle == 0)
            #expect(pool.statistics.inUse == 0)
            group.cancelAll()
        }
        let error = await #expect(throws: PGError.self) { try await pool.withConnection { _ in } }
        #expect(error?.code == .poolClosed)
    }
}

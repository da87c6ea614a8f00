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

    /// 50 sleeping statements on a pool of 10 keep every pool connection's thread busy for five
    /// seconds; the cooperative pool must stay free, so a quick query elsewhere still answers at once.
    ///
    /// If anything blocked the cooperative threads, every probe would wait for a wave of sleeps
    /// (1 s); the fastest of several probes, all taken while the pool is saturated, is therefore the
    /// measure. A wave of a full second keeps it well apart from what other tests loading the machine
    /// cost a probe (up to a quarter of a second seen in full runs, with 200 ms waves that made this flaky).
    @Test func sleepingStatementsDoNotBlockTheCooperativePool() async throws {
        var configuration = PGPoolConfiguration(conninfo: conninfo)
        configuration.maxConnections = 10
        configuration.acquireTimeout = .seconds(30)
        let pool = PGPool(configuration: configuration)
        let probe = try await PGConnection.connect(conninfo)
        let clock = ContinuousClock()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<50 {
                group.addTask { _ = try await pool.withConnection { try await $0.execute("SELECT pg_sleep(1)") } }
            }
            // Let the sleepers take every connection and queue the rest.
            while pool.statistics.inUse < 10 { await Task.yield() }
            var fastest = Duration.seconds(60)
            for _ in 0..<5 {
                let started = clock.now
                try await probe.execute("SELECT 1")
                fastest = min(fastest, clock.now - started)
                #expect(pool.statistics.inUse == 10, "probes must run while the pool is saturated")
            }
            #expect(fastest < .milliseconds(500))
            try await group.waitForAll()
        }
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
            let deadline = ContinuousClock.now + .seconds(10)
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

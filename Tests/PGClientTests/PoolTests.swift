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
                    // A holder that cannot connect ends the wait below, so the test fails rather than hangs.
                    defer { heldContinuation.finish() }
                    try await pool.withConnection { _ in
                        heldContinuation.yield()
                        for await _ in release { break }
                    }
                }
            }
            var heldIterator = held.makeAsyncIterator()
            guard await heldIterator.next() != nil, await heldIterator.next() != nil else {
                try await group.waitForAll()
                Issue.record("a holder never got its connection")
                return
            }
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

    /// Ten statements asleep keep every pool connection's thread busy, with ten more queued behind them;
    /// the cooperative pool must stay free, so quick queries on another connection answer while all of
    /// them are still asleep.
    ///
    /// If libpq blocked the cooperative threads (two on this machine), no probe could resume before a
    /// sleeper ended. So the check is an order of events — no sleeper had ended when the probes answered —
    /// not a time limit, which a loaded machine stretches. The sleepers sleep until the test cancels them
    /// (a full run once kept a probe waiting past fifteen-second sleepers: other suites' work shares the
    /// cooperative pool), so no load can make a sleeper end first.
    @Test func sleepingStatementsDoNotBlockTheCooperativePool() async throws {
        var configuration = PGPoolConfiguration(conninfo: conninfo)
        configuration.maxConnections = 10
        configuration.acquireTimeout = .seconds(300)
        let pool = PGPool(configuration: configuration)
        let probe = try await PGConnection.connect(conninfo)
        let sleeper: PGQuery = "SELECT pg_sleep(600) /* pool test sleeper */"
        let sleeping: PGQuery = """
            SELECT count(*) AS n FROM pg_stat_activity
            WHERE datname = current_database() AND state = 'active' AND query LIKE '%pool test sleeper%'
              AND pid <> pg_backend_pid()
            """
        let ended = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    // Cancelled by the test at the end: a sleeper ends only then.
                    _ = try? await pool.withConnection { try await $0.execute(sleeper) }
                    _ = ended.increment()
                }
            }
            // The sleepers take every connection and are asleep in the server; the rest queue.
            while try await probe.query(sleeping)[0].decode(Int.self, column: "n") < 10 {
                // A sleeper that ended already could not connect: the rest of the test would wait forever.
                guard ended.current == 0 else {
                    Issue.record("a sleeper ended before ten were asleep")
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            for _ in 0..<5 {
                try await probe.execute("SELECT 1")
                #expect(ended.current == 0, "a probe waited for a sleeping statement")
                #expect(pool.statistics.inUse == 10, "probes must run while the pool is saturated")
            }
            // Wake them all: the queued ten take the connections and are woken in turn.
            while ended.current < 20 {
                try await probe.execute(
                    """
                    SELECT pg_cancel_backend(pid) FROM pg_stat_activity
                    WHERE datname = current_database() AND query LIKE '%pool test sleeper%' AND pid <> pg_backend_pid()
                    """)
                try await Task.sleep(for: .milliseconds(50))
            }
            try await group.waitForAll()
        }
        #expect(ended.current == 20)
        #expect(pool.statistics.inUse == 0)
        await probe.close()
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

import PGClient
import Synchronization
import TestSupport
import Testing

/// `PGPool.query`: statements queued by many callers, sent together in pipelines by the connections
/// serving the queue.
@Suite("Pooled queries", .timeLimit(.minutes(10)))
struct PooledQueryTests {
    let conninfo: String
    init() async throws { conninfo = try await TestCluster.freshDatabase("pooled_query") }

    private func pool(size: Int) -> PGPool {
        var configuration = PGPoolConfiguration(conninfo: conninfo)
        configuration.maxConnections = size
        configuration.acquireTimeout = .seconds(30)
        return PGPool(configuration: configuration)
    }

    /// Runs `body` while the pool's only connection is leased: whatever `body` queues waits for it.
    /// `body` gets a function that lets the connection go.
    private func holdingTheConnection<Result: Sendable>(
        of pool: PGPool, _ body: (@escaping @Sendable () -> Void) async throws -> Result
    ) async throws -> Result {
        let (release, releaseContinuation) = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await pool.withConnection { _ in
                for await _ in release { break }
            }
        }
        while pool.statistics.inUse < 1 { await Task.yield() }
        let result = try await body { releaseContinuation.finish() }
        releaseContinuation.finish()
        try await holder.value
        return result
    }

    /// Starts `count` callers of `call` (each given its index) while the pool's only connection is held,
    /// lets the connection go once every one of them has queued its statement — so they are sent
    /// together — and returns what each caller got, by index.
    private func queuedTogether<Value: Sendable>(
        on pool: PGPool, count: Int, _ call: @escaping @Sendable (Int) async throws -> Value
    ) async throws -> [Int: Value] {
        try await holdingTheConnection(of: pool) { letGo in
            try await withThrowingTaskGroup(of: (Int, Value).self) { group in
                for i in 0..<count { group.addTask { (i, try await call(i)) } }
                while pool.queuedStatements < count { await Task.yield() }
                letGo()
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
        }
    }

    @Test func everyCallerGetsItsOwnRowsAndThePoolKeepsItsSize() async throws {
        let pool = pool(size: 2)
        let answers = try await withThrowingTaskGroup(of: (Int, Int, String, Int32).self) { group in
            for i in 0..<300 {
                group.addTask {
                    var query = PGQuery("SELECT \(i)::int AS n, repeat('é', \(i)::int) AS s, pg_backend_pid() AS pid")
                    if i.isMultiple(of: 2) { query = query.prepared() }
                    if i.isMultiple(of: 3) { query = query.binaryResults() }
                    let row = try await pool.query(query)[0]
                    return (
                        i, try row.decode(Int.self, column: "n"), try row.decode(String.self, column: "s"),
                        try row.decode(Int32.self, column: "pid")
                    )
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.count == 300)
        for (i, n, text, _) in answers {
            #expect(n == i)
            #expect(text == String(repeating: "é", count: i))
        }
        #expect(Set(answers.map(\.3)).count <= 2)
        #expect(pool.queuedStatements == 0)
        await pool.close()
    }

    /// Statements queued while the connection is busy go out together: one pipeline with one Sync is
    /// one implicit transaction, so they all see the same transaction time; sent one by one, each would
    /// see its own.
    @Test func statementsQueuedTogetherGoOutAsOnePipeline() async throws {
        let pool = pool(size: 1)
        let times = try await queuedTogether(on: pool, count: 10) { _ in
            try await pool.query("SELECT now()::text AS t")[0].decode(String.self, column: "t")
        }
        #expect(times.count == 10)
        #expect(Set(times.values).count == 1, "\(Set(times.values))")
        // Alone, one after another, each is its own transaction.
        let first = try await pool.query("SELECT now()::text AS t")[0].decode(String.self, column: "t")
        let second = try await pool.query("SELECT now()::text AS t")[0].decode(String.self, column: "t")
        #expect(first != second)
        await pool.close()
    }

    /// Each statement sent says how long it waited in the queue: at least from when all of them were
    /// queued to when the held connection was let go, at most the whole call.
    @Test func eachStatementSaysHowLongItWaitedToBeSent() async throws {
        let waits = Mutex<[Duration]>([])
        var configuration = PGPoolConfiguration(conninfo: conninfo)
        configuration.maxConnections = 1
        // The statements wait for as long as the work on the other connection takes, which on a loaded
        // machine (the whole suite at once) has passed the default 10 s; what is measured is the wait.
        configuration.acquireTimeout = .seconds(120)
        configuration.onStatementWait = { waited in waits.withLock { $0.append(waited) } }
        let pool = PGPool(configuration: configuration)
        let clock = ContinuousClock()
        let started = clock.now
        let (allQueued, letGoAt) = try await holdingTheConnection(of: pool) { letGo in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<10 { group.addTask { try await pool.query("SELECT \(i)::int AS n") } }
                while pool.queuedStatements < 10 { await Task.yield() }
                let allQueued = clock.now
                // Something real on another connection while these wait: a table made and read.
                try await PGConnection.with(conninfo) { other in
                    try await other.simpleQuery("CREATE TEMP TABLE t AS SELECT generate_series(1, 20000) AS n")
                    _ = try await other.query("SELECT sum(n) FROM t")
                }
                let letGoAt = clock.now
                letGo()
                try await group.waitForAll()
                return (allQueued, letGoAt)
            }
        }
        let elapsed = clock.now - started
        let reported = waits.withLock { $0 }
        #expect(reported.count == 10)
        #expect(reported.allSatisfy { $0 >= letGoAt - allQueued && $0 <= elapsed }, "\(reported)")
        await pool.close()
    }

    /// Ten statements queued behind a held connection go out as one pipeline; the two that fail fail
    /// their own callers only, and those the first failure aborted are run again.
    @Test func aFailingStatementFailsOnlyItsOwnCaller() async throws {
        let pool = pool(size: 1)
        let outcomes = try await queuedTogether(on: pool, count: 10) { i -> Result<Int, PGError> in
            let query: PGQuery =
                i == 7 ? "SELECT no_such_column AS n" : PGQuery("SELECT 60 / \(i - 3)::int AS n").prepared()
            do {
                return .success(try await pool.query(query)[0].decode(Int.self, column: "n"))
            } catch let error as PGError {
                return .failure(error)
            }
        }
        #expect(outcomes.count == 10)
        for (i, outcome) in outcomes {
            switch (i, outcome) {
            case (3, .failure(let error)): #expect(error.sqlState == SQLState(rawValue: "22012"))
            case (7, .failure(let error)): #expect(error.sqlState == .undefinedColumn)
            case (_, .success(let n)): #expect(n == 60 / (i - 3))
            default: Issue.record("statement \(i): \(outcome)")
            }
        }
        #expect(try await pool.query("SELECT 1 AS one")[0].decode(Int.self, column: "one") == 1)
        await pool.close()
    }

    /// Large statements and large results queued together (0.8 MB sent, 4.8 MB back, far beyond a
    /// socket's buffer): neither side is left stuck writing to the other, and each caller gets back
    /// what it sent.
    @Test func largeStatementsQueuedTogetherComeBackWhole() async throws {
        let pool = pool(size: 1)
        let echoed = try await queuedTogether(on: pool, count: 40) { i in
            let text = String(repeating: Character(Unicode.Scalar(UInt8(65 + i % 26))), count: 20_000 + i)
            let rows = try await pool.query("SELECT \(text) || repeat('!', 100000) AS echo")
            return try rows[0].decode(String.self, column: "echo") == text + String(repeating: "!", count: 100_000)
        }
        #expect(echoed.count == 40)
        #expect(echoed.values.allSatisfy { $0 })
        await pool.close()
    }

    @Test func aParameterHoldingNULIsRefusedForItsCallerAlone() async throws {
        let pool = pool(size: 1)
        let outcomes = try await queuedTogether(on: pool, count: 2) { i -> Result<String, PGError> in
            do {
                let rows = try await pool.query("SELECT \(i == 0 ? "a\u{0}b" : "ab") AS s")
                return .success(try rows[0].decode(String.self, column: "s"))
            } catch let error as PGError {
                return .failure(error)
            }
        }
        #expect(throws: PGError.self) { try outcomes[0]?.get() }
        if case .failure(let error) = outcomes[0] { #expect(error.code == .invalidBind) }
        #expect(try outcomes[1]?.get() == "ab")
        await pool.close()
    }

    @Test func aCancelledCallerIsWithdrawnBeforeItsStatementIsSent() async throws {
        let pool = pool(size: 1)
        try await pool.withConnection { try await $0.execute("CREATE TABLE marks (n int)") }
        try await holdingTheConnection(of: pool) { letGo in
            let cancelled = Task { try await pool.query("INSERT INTO marks VALUES (1)") }
            while pool.queuedStatements < 1 { await Task.yield() }
            cancelled.cancel()
            await #expect(throws: CancellationError.self) { try await cancelled.value }
            #expect(pool.queuedStatements == 0)
            letGo()
        }
        #expect(try await pool.query("SELECT count(*) AS n FROM marks")[0].decode(Int.self, column: "n") == 0)
        await pool.close()
    }

    @Test func closingThePoolFailsWhatIsQueuedAndRefusesMore() async throws {
        let pool = pool(size: 1)
        let (holding, holdingContinuation) = AsyncStream<Void>.makeStream()
        let (release, releaseContinuation) = AsyncStream<Void>.makeStream()
        let holder = Task {
            // A holder that cannot connect ends the wait below, so the test fails rather than hangs.
            defer { holdingContinuation.finish() }
            try await pool.withConnection { _ in
                holdingContinuation.yield()
                for await _ in release { break }
            }
        }
        for await _ in holding { break }
        guard pool.statistics.inUse == 1 else {
            try await holder.value
            Issue.record("the holder never got its connection")
            return
        }
        let queued = Task { try await pool.query("SELECT 1") }
        while pool.queuedStatements < 1 { await Task.yield() }
        await pool.close()
        let error = await #expect(throws: PGError.self) { try await queued.value }
        #expect(error?.code == .poolClosed)
        let refused = await #expect(throws: PGError.self) { try await pool.query("SELECT 1") }
        #expect(refused?.code == .poolClosed)
        releaseContinuation.finish()
        try await holder.value
    }

    /// A steady stream of queued statements must not keep `withConnection` waiting until the stream
    /// ends: the runner gives its connection back after its turn when a lease waits.
    @Test func aLeaseIsServedWhileStatementsAreStillQueued() async throws {
        let pool = pool(size: 1)
        let total = 2_000
        let queuedWhenLeased = try await holdingTheConnection(of: pool) { letGo in
            try await withThrowingTaskGroup(of: Int?.self) { group in
                for i in 0..<total {
                    group.addTask {
                        let n = try await pool.query("SELECT \(i)::int AS n")[0].decode(Int.self, column: "n")
                        #expect(n == i)
                        return nil
                    }
                }
                // Everything queued, and the runner waiting for the held connection.
                while pool.queuedStatements < total || pool.statistics.waiting < 1 { await Task.yield() }
                letGo()
                // In line behind the runner.
                group.addTask { try await pool.withConnection { _ in pool.queuedStatements } }
                var queuedWhenLeased: Int?
                for try await outcome in group where outcome != nil { queuedWhenLeased = outcome }
                return queuedWhenLeased
            }
        }
        let queued = try #require(queuedWhenLeased)
        #expect(queued > 0, "the lease waited for all \(total) statements")
        #expect(pool.queuedStatements == 0)
        await pool.close()
    }

    @Test func aLostConnectionFailsItsPipelineAndTheNextStatementGetsAFreshOne() async throws {
        let pool = pool(size: 1)
        let firstPID = try await pool.query("SELECT pg_backend_pid() AS pid")[0].decode(Int32.self, column: "pid")
        let outcomes = try await holdingTheConnection(of: pool) { letGo in
            let killer = Task { try await pool.query("SELECT pg_terminate_backend(pg_backend_pid())") }
            while pool.queuedStatements < 1 { await Task.yield() }
            let behind = Task { try await pool.query("SELECT 1 AS one") }
            while pool.queuedStatements < 2 { await Task.yield() }
            letGo()
            return (await killer.result, await behind.result)
        }
        #expect(throws: PGError.self) { try outcomes.0.get() }
        #expect(throws: PGError.self) { try outcomes.1.get() }
        let secondPID = try await pool.query("SELECT pg_backend_pid() AS pid")[0].decode(Int32.self, column: "pid")
        #expect(secondPID != firstPID)
        #expect(pool.statistics.inUse + pool.statistics.idle == 1)
        await pool.close()
    }

    @Test func aTableThatChangesShapeIsReadAfreshThroughThePool() async throws {
        let pool = pool(size: 1)
        try await pool.withConnection { connection in
            try await connection.execute("CREATE TABLE reps (id bigint PRIMARY KEY, name text NOT NULL)")
            try await connection.execute("INSERT INTO reps VALUES (1, 'Siân')")
        }
        let query = PGQuery("SELECT * FROM reps WHERE id = \(Int64(1))").prepared()
        #expect(try await pool.query(query).columns.count == 2)
        try await pool.withConnection { try await $0.execute("ALTER TABLE reps ADD COLUMN union_name text") }
        let rows = try await pool.query(query)
        #expect(rows.columns.count == 3)
        #expect(try rows[0].decode(String.self, column: "name") == "Siân")
        await pool.close()
    }
}

import PGClient
import Synchronization
import TestSupport
import Testing

struct Oops: Error {}

@Suite("Transactions", .timeLimit(.minutes(10)))
struct TransactionTests {
    let conninfo: String
    init() async throws { conninfo = try await TestCluster.freshDatabase("tx") }

    @Test func aThrowingBodyRollsBack() async throws {
        let pool = PGPool(configuration: PGPoolConfiguration(conninfo: conninfo))
        try await pool.withConnection { try await $0.execute("CREATE TABLE t (n int)") }
        await #expect(throws: Oops.self) {
            try await pool.withTransaction { connection in
                try await connection.execute("INSERT INTO t VALUES (1)")
                throw Oops()
            }
        }
        let count = try await pool.withConnection { try await $0.query("SELECT count(*) AS n FROM t") }
        #expect(try count.first?.decode(Int.self, column: "n") == 0)
        // The connection went back clean and is reused.
        #expect(pool.statistics.idle == 1)
        await pool.close()
    }

    @Test func aCommittedBodyIsVisibleAndReturnsItsResult() async throws {
        let pool = PGPool(configuration: PGPoolConfiguration(conninfo: conninfo))
        try await pool.withConnection { try await $0.execute("CREATE TABLE t (n int)") }
        let inserted = try await pool.withTransaction(isolation: .serializable) { connection in
            try await connection.execute("INSERT INTO t SELECT generate_series(1, 3)")
        }
        #expect(inserted == 3)
        let level = try await pool.withTransaction(isolation: .repeatableRead) { connection in
            try await connection.query("SHOW transaction_isolation").first?.decode(String.self, at: 0)
        }
        #expect(level == "repeatable read")
        await pool.close()
    }

    /// Two serializable transactions each read the other's rows and write: one must fail with
    /// 40001 and, retried, succeed; both increments land. (A retry that starts while the other
    /// transaction is still open can fail once more, so the attempts are at least three.)
    @Test func serializationFailuresAreRetried() async throws {
        let pool = PGPool(configuration: PGPoolConfiguration(conninfo: conninfo))
        try await pool.withConnection {
            try await $0.simpleQuery(
                "CREATE TABLE counters (k text PRIMARY KEY, v int); INSERT INTO counters VALUES ('a', 0), ('b', 0)")
        }
        let attempts = Counter()
        let bothRead = AsyncBarrier(parties: 2)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (mine, theirs) in [("a", "b"), ("b", "a")] {
                group.addTask {
                    try await pool.withTransaction(isolation: .serializable) { connection in
                        let attempt = attempts.increment()
                        _ = try await connection.query("SELECT sum(v) FROM counters WHERE k = \(theirs)")
                        if attempt <= 2 { await bothRead.arrive() }
                        try await connection.execute("UPDATE counters SET v = v + 1 WHERE k = \(mine)")
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(attempts.current >= 3)
        let total = try await pool.withConnection { try await $0.query("SELECT sum(v)::int AS s FROM counters") }
        #expect(try total.first?.decode(Int.self, column: "s") == 2)
        await pool.close()
    }
}

/// Suspends each arriving task until `parties` tasks have arrived.
actor AsyncBarrier {
    let parties: Int
    var waiting: [CheckedContinuation<Void, Never>] = []
    init(parties: Int) { self.parties = parties }
    func arrive() async {
        if waiting.count + 1 >= parties {
            waiting.forEach { $0.resume() }
            waiting.removeAll()
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }
}

/// A thread-safe count shared by concurrent test tasks.
final class Counter: Sendable {
    private let value = Mutex(0)
    func increment() -> Int {
        value.withLock {
            $0 += 1; return $0
        }
    }
    var current: Int { value.withLock { $0 } }
}

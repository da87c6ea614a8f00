import PGClient
import TestSupport
import Testing

@Suite("Prepared statements", .timeLimit(.minutes(10)))
struct PreparedStatementTests {
    let conninfo: String
    init() async throws { conninfo = try await TestCluster.freshDatabase("prepared") }

    private func preparedCount(_ connection: PGConnection) async throws -> Int {
        try await connection.query("SELECT count(*) AS n FROM pg_prepared_statements")[0].decode(Int.self, column: "n")
    }

    @Test func aPreparedStatementIsPreparedOnceAndAnswersForEachValue() async throws {
        let connection = try await PGConnection.connect(conninfo)
        try await connection.execute("CREATE TABLE employers (id bigint PRIMARY KEY, name text NOT NULL)")
        for id in 1...5 { try await connection.execute("INSERT INTO employers VALUES (\(id), \("Employer \(id)"))") }
        for id in 1...5 {
            let query = PGQuery("SELECT name FROM employers WHERE id = \(Int64(id))").prepared()
            #expect(try await connection.query(query)[0].decode(String.self, column: "name") == "Employer \(id)")
        }
        #expect(try await preparedCount(connection) == 1)
        // The same text with NULL where a value was is still the same statement.
        let none: Int64? = nil
        #expect(try await connection.query(PGQuery("SELECT name FROM employers WHERE id = \(none)").prepared()).isEmpty)
        #expect(try await preparedCount(connection) == 1)
    }

    @Test func aStatementOutlivesARolledBackTransaction() async throws {
        let connection = try await PGConnection.connect(conninfo)
        try await connection.execute("CREATE TABLE flags (id bigint PRIMARY KEY, state text NOT NULL)")
        try await connection.execute("INSERT INTO flags VALUES (1, 'open')")
        let query = PGQuery("SELECT state FROM flags WHERE id = \(Int64(1))").prepared()
        try await connection.execute("BEGIN")
        #expect(try await connection.query(query)[0].decode(String.self, column: "state") == "open")
        try await connection.execute("ROLLBACK")
        #expect(try await connection.query(query)[0].decode(String.self, column: "state") == "open")
        #expect(try await preparedCount(connection) == 1)
    }

    @Test func aTableThatChangesShapeIsReadAfresh() async throws {
        let connection = try await PGConnection.connect(conninfo)
        try await connection.execute("CREATE TABLE reps (id bigint PRIMARY KEY, name text NOT NULL)")
        try await connection.execute("INSERT INTO reps VALUES (1, 'Siân')")
        let query = PGQuery("SELECT * FROM reps WHERE id = \(Int64(1))").prepared()
        #expect(try await connection.query(query).columns.count == 2)
        try await connection.execute("ALTER TABLE reps ADD COLUMN union_name text")
        let rows = try await connection.query(query)
        #expect(rows.columns.count == 3)
        #expect(try rows[0].decode(String.self, column: "name") == "Siân")
    }

    @Test func aStatementTheServerCannotPrepareFailsWithItsOwnError() async throws {
        let connection = try await PGConnection.connect(conninfo)
        let error = await #expect(throws: PGError.self) {
            try await connection.query(PGQuery("SELEC \(Int64(1))").prepared())
        }
        #expect(error?.sqlState == .syntaxError)
        let missing = await #expect(throws: PGError.self) {
            try await connection.query(PGQuery("SELECT * FROM nowhere WHERE id = \(Int64(1))").prepared())
        }
        #expect(missing?.sqlState == .undefinedTable)
        // Once the table exists, the same statement prepares and runs.
        try await connection.execute("CREATE TABLE nowhere (id bigint)")
        #expect(try await connection.query(PGQuery("SELECT * FROM nowhere WHERE id = \(Int64(1))").prepared()).isEmpty)
    }

    /// Past the cache's 128 statements the least recently used is deallocated on the server, so
    /// statements met often stay prepared however many rare ones come and go.
    @Test func theLeastRecentlyUsedStatementMakesRoomAndIsDeallocated() async throws {
        let connection = try await PGConnection.connect(conninfo)
        try await connection.execute("CREATE TABLE pages (id bigint PRIMARY KEY)")
        let hot = PGQuery("SELECT id FROM pages WHERE id > \(Int64(0)) ORDER BY id LIMIT \(literal: 50)")
        func rare(_ limit: Int) -> PGQuery {
            PGQuery("SELECT id FROM pages WHERE id > \(Int64(0)) ORDER BY id LIMIT \(literal: limit)")
        }
        for limit in 1...200 {
            try await connection.query(rare(1_000 + limit).prepared())
            try await connection.query(hot.prepared())
        }
        #expect(try await preparedCount(connection) == 128)
        let kept = try await connection.query("SELECT statement FROM pg_prepared_statements").map {
            try $0.decode(String.self, column: "statement")
        }
        #expect(kept.contains(hot.sql))
        #expect(kept.contains(rare(1_200).sql))
        #expect(!kept.contains(rare(1_001).sql))
        // An evicted statement simply prepares again when it comes back.
        #expect(try await connection.query(rare(1_001).prepared()).isEmpty)
        #expect(try await preparedCount(connection) == 128)
    }

    @Test func aLiteralLimitLetsThePlannerReuseItsPlan() async throws {
        let connection = try await PGConnection.connect(conninfo)
        try await connection.execute("CREATE TABLE queue (id bigint PRIMARY KEY, state text NOT NULL)")
        try await connection.execute(
            "INSERT INTO queue SELECT g, CASE WHEN g % 3 = 0 THEN 'open' ELSE 'resolved' END FROM generate_series(1, 5000) g"
        )
        try await connection.execute("ANALYZE queue")
        let query = PGQuery("SELECT id FROM queue WHERE state = \("open") ORDER BY id DESC LIMIT \(literal: 51)")
        #expect(query.sql.hasSuffix("LIMIT 51"))
        #expect(query.binds.count == 1)
        for _ in 0..<10 {
            #expect(try await connection.query(query.prepared()).count == 51)
        }
        // After its first five custom plans, PostgreSQL settles on one generic plan.
        let plans = try await connection.query("SELECT generic_plans FROM pg_prepared_statements")
        #expect(try plans[0].decode(Int.self, column: "generic_plans") > 0)
    }
}

import CharterStore
import Foundation
import PGClient
import TestSupport
import Testing

@Suite("The CharterWatch schema", .timeLimit(.minutes(10)))
struct SchemaTests {
    let conninfo: String
    init() async throws { conninfo = try await TestCluster.freshDatabase("schema") }

    func migrated() async throws -> PGConnection {
        let connection = try await PGConnection.connect(conninfo)
        _ = try await CharterSchema.migrator().migrate(on: connection)
        return connection
    }

    func count(_ connection: PGConnection, _ query: PGQuery) async throws -> Int {
        try #require(try await connection.query(query).first).decode(Int.self, at: 0)
    }

    @Test func migrationsApplyOnceAndLeaveTheSchemaCurrent() async throws {
        let connection = try await PGConnection.connect(conninfo)
        let first = try await CharterSchema.migrator().migrate(on: connection)
        #expect(!first.applied.isEmpty)
        #expect(first.applied.map(\.version) == CharterSchema.migrations.map(\.version))
        let second = try await CharterSchema.migrator().migrate(on: connection)
        #expect(second.applied.isEmpty)
        #expect(try await CharterSchema.migrator().status(on: connection).isCurrent)
    }

    @Test func theTablesOfTheSpecExist() async throws {
        let connection = try await migrated()
        let expected = [
            "employers", "contacts", "charter_versions", "standards", "pledges", "bank_holidays", "rlw_rates",
            "nmw_rates", "returns", "return_versions", "worker_lines", "contractors", "flags", "flag_events",
            "exemptions", "job_runs", "outbox_messages", "users", "reps", "rep_coverage", "api_tokens", "audit_log",
        ]
        for table in expected {
            let present = try await connection.query("SELECT to_regclass(\(table)) IS NOT NULL AS present")
            #expect(try present.first?.decode(Bool.self, column: "present") == true, "missing table \(table)")
        }
    }

    @Test func referenceDataIsSeededWithTheSpecValues() async throws {
        let connection = try await migrated()
        #expect(try await count(connection, "SELECT count(*) FROM standards") == 24)
        #expect(try await count(connection, "SELECT count(*) FROM rlw_rates") == 3)
        #expect(try await count(connection, "SELECT count(*) FROM nmw_rates") == 12)
        let rlw = try #require(
            try await connection.query("SELECT uk, london FROM rlw_rates WHERE deadline = DATE '2026-05-01'").first)
        #expect(try rlw.decode(Decimal.self, column: "uk") == Decimal(string: "13.45"))
        #expect(try rlw.decode(Decimal.self, column: "london") == Decimal(string: "14.80"))
        // England and Wales: 8 bank holidays in each year, substitutes included.
        for year in 2024...2027 {
            #expect(
                try await count(
                    connection, "SELECT count(*) FROM bank_holidays WHERE extract(year FROM date) = \(year)") == 8)
        }
        // 2027: Christmas Day is a Saturday, so the substitute days are Monday 27 and Tuesday 28 December.
        #expect(
            try await count(
                connection,
                "SELECT count(*) FROM bank_holidays WHERE date IN (DATE '2027-12-27', DATE '2027-12-28')") == 2)
    }

    @Test func theAuditLogRefusesUpdateAndDelete() async throws {
        let connection = try await migrated()
        let columns = try await connection.query(
            """
            SELECT column_name FROM information_schema.columns
            WHERE table_name = 'audit_log' AND is_nullable = 'NO' AND column_default IS NULL
              AND is_identity = 'NO'
            """)
        #expect(!columns.isEmpty)
        for statement: PGQuery in ["UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"] {
            let error = await #expect(throws: PGError.self) { try await connection.execute(statement) }
            #expect(error?.code == .server, "\(statement.sql) must be refused")
        }
    }
}

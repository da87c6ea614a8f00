import CharterDomain
import Foundation
import PGClient
import TestSupport
import Testing

@testable import CharterStore

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

    /// A charter migrated past 0028 (a flag's opening kept on the flag, not as an `opened` row): each flag's
    /// history reads as it did before — the opening first, with its id, time and actor, then the rest.
    @Test func flagHistoriesReadTheSameAfterTheOpeningMovesOntoTheFlag() async throws {
        let connection = try await PGConnection.connect(conninfo)
        let before = CharterSchema.migrations.filter { $0.version < 28 }
        _ = try await PGMigrator(migrations: before, lockKey: CharterSchema.migrationLockKey).migrate(on: connection)
        let evidence = Evidence(
            charterVersionID: 1, charterVersionLabel: "Charter 2026", parameters: [:],
            period: ReportingPeriod("2026-Q2")!, returnVersionID: nil, returnVersionNumber: nil)
        let flagID = try #require(
            try await connection.query(
                """
                WITH e AS (INSERT INTO employers (name) VALUES ('Wirral Bakery') RETURNING id)
                INSERT INTO flags (employer_id, standard_id, period, state, severity, evidence)
                SELECT id, 'pay.real-living-wage', '2026-Q2', 'cleared', 'breach',
                       \(String(decoding: evidence.jsonData(), as: UTF8.self))::jsonb FROM e
                RETURNING id
                """
            ).first
        ).decode(Int64.self, at: 0)
        try await connection.execute(
            """
            INSERT INTO flag_events (flag_id, at, actor, kind, from_state, to_state, note) VALUES
              (\(flagID), '2026-08-01 02:00:00+01', 'nightly-compliance', 'opened', NULL, 'open', NULL),
              (\(flagID), '2026-08-03 10:15:00+01', 'user:7', 'comment', NULL, NULL, 'asked payroll'),
              (\(flagID), '2026-09-01 02:00:00+01', 'nightly-compliance', 'transition', 'open', 'cleared', 'no longer found')
            """)
        // As the history read them before: the opening among the events.
        let stored = try await connection.query(
            "SELECT * FROM flag_events WHERE flag_id = \(flagID) ORDER BY at, id"
        ).map(FlagRowReader.event)
        _ = try await CharterSchema.migrator().migrate(on: connection)

        let pool = PGPool(configuration: PGPoolConfiguration(conninfo: conninfo))
        let flag = try #require(try await FlagStore(pool: pool).flag(id: flagID))
        await pool.close()
        #expect(flag.events == stored)
        #expect(flag.events.map(\.kind) == [.opened, .comment, .transition])
        #expect(try await count(connection, "SELECT count(*) FROM flag_events WHERE flag_id = \(flagID)") == 2)
        // No opening is written as an event any more.
        let error = await #expect(throws: PGError.self) {
            try await connection.execute(
                "INSERT INTO flag_events (flag_id, actor, kind, to_state) VALUES (\(flagID), 'x', 'opened', 'open')")
        }
        #expect(error?.code == .server)
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

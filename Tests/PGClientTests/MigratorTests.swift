import PGClient
import TestSupport
import Testing

@Suite("Migrations", .timeLimit(.minutes(10)))
struct MigratorTests {
    let conninfo: String
    init() async throws { conninfo = try await TestCluster.freshDatabase("migrate") }

    static let files = [
        PGMigration(
            fileName: "0001_employers.sql", sql: "CREATE TABLE employers (id bigint PRIMARY KEY, name text NOT NULL);")!,
        PGMigration(
            fileName: "0002_contacts.sql",
            sql:
                "CREATE TABLE contacts (employer_id bigint REFERENCES employers); INSERT INTO employers VALUES (1, 'Seed');"
        )!,
    ]

    @Test func appliesInOrderAndASecondRunIsANoOp() async throws {
        let connection = try await PGConnection.connect(conninfo)
        let migrator = PGMigrator(migrations: Self.files.reversed(), lockKey: 42)
        let first = try await migrator.migrate(on: connection)
        #expect(first.applied.map(\.fileName) == ["0001_employers.sql", "0002_contacts.sql"])
        let second = try await migrator.migrate(on: connection)
        #expect(second.applied.isEmpty)
        #expect(second.alreadyApplied == 2)
        #expect(try await migrator.status(on: connection).isCurrent)
        let seeded = try await connection.query("SELECT count(*) AS n FROM employers")
        #expect(try seeded.first?.decode(Int.self, column: "n") == 1)
    }

    @Test func racingMigratorsApplyEachFileOnce() async throws {
        let migrator = PGMigrator(migrations: Self.files, lockKey: 42)
        let reports = try await withThrowingTaskGroup(of: PGMigrator.Report.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let connection = try await PGConnection.connect(conninfo)
                    return try await migrator.migrate(on: connection)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(reports.map(\.applied.count).sorted() == [0, 0, 0, 2])
        let connection = try await PGConnection.connect(conninfo)
        let seeded = try await connection.query("SELECT count(*) AS n FROM employers")
        #expect(try seeded.first?.decode(Int.self, column: "n") == 1)
    }

    @Test func aChangedAppliedFileIsRefusedByName() async throws {
        let connection = try await PGConnection.connect(conninfo)
        _ = try await PGMigrator(migrations: Self.files, lockKey: 42).migrate(on: connection)
        var tampered = Self.files
        tampered[0].sql += "\n-- edited after release\n"
        let third = PGMigration(fileName: "0003_more.sql", sql: "CREATE TABLE more (x int);")!
        let error = await #expect(throws: PGError.self) {
            _ = try await PGMigrator(migrations: tampered + [third], lockKey: 42).migrate(on: connection)
        }
        #expect(error?.code == .migration)
        #expect(error?.message.contains("0001_employers.sql") == true)
        // Nothing after the refusal was applied.
        let more = try await connection.query("SELECT to_regclass('more') IS NULL AS absent")
        #expect(try more.first?.decode(Bool.self, column: "absent") == true)
    }

    @Test func aFailingFileRollsBackWhollyAndIsNamed() async throws {
        let connection = try await PGConnection.connect(conninfo)
        let broken = PGMigration(fileName: "0003_broken.sql", sql: "CREATE TABLE half (x int); SELEC oops;")!
        let error = await #expect(throws: PGError.self) {
            _ = try await PGMigrator(migrations: Self.files + [broken], lockKey: 42).migrate(on: connection)
        }
        #expect(error?.message.contains("0003_broken.sql") == true)
        let half = try await connection.query("SELECT to_regclass('half') IS NULL AS absent")
        #expect(try half.first?.decode(Bool.self, column: "absent") == true)
        let status = try await PGMigrator(migrations: Self.files + [broken], lockKey: 42).status(on: connection)
        #expect(status.pending.map(\.fileName) == ["0003_broken.sql"])
    }
}

import CharterStore
import Foundation
import PGClient
import TestSupport
import Testing

/// Runs the real `charterctl` binary, as scripts and operators do.
@Suite("charterctl", .timeLimit(.minutes(10)))
struct CharterCtlTests {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func charterctl(_ arguments: [String], environment extra: [String: String]) async throws -> Outcome {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CHARTERD_") }
        // The run's audit key, as the suites' own writes use it; a test may set it empty to go without.
        environment.merge(TestAuditKey.environment) { $1 }
        environment.merge(extra) { $1 }
        let process = try SpawnedProcess(
            SpawnedProcess.builtExecutable("charterctl"), arguments, environment: environment)
        let status = try await process.exitStatus()
        return Outcome(status: status, stdout: process.standardOutput, stderr: process.standardError)
    }

    @Test func migrateAppliesOnceAndReportsAsJSON() async throws {
        let conninfo = try await TestCluster.freshDatabase("ctl")
        let first = try await charterctl(
            ["migrate", "--format", "json"], environment: ["CHARTERD_DATABASE_URL": conninfo])
        #expect(first.status == 0, "\(first.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any]
        #expect(report?["applied"] as? [String] == CharterSchema.migrations.map(\.fileName))
        let second = try await charterctl(["migrate"], environment: ["CHARTERD_DATABASE_URL": conninfo])
        #expect(second.status == 0)
        #expect(second.stdout.contains("current"))
    }

    @Test func aMigrationTheDatabaseRefusesIsSaidInTheServersWordsAndLeavesNothing() async throws {
        let conninfo = try await TestCluster.freshDatabase("ctl_refused")
        try await PGConnection.with(conninfo) { connection in
            try await connection.simpleQuery("CREATE TABLE employers (id int)")
            let refused = try await charterctl(["migrate"], environment: ["CHARTERD_DATABASE_URL": conninfo])
            #expect(refused.status == 1)
            #expect(
                refused.stderr.contains(
                    "the database refused: migration 0001_core.sql failed: relation \"employers\" already exists"
                        + " (SQLSTATE 42P07)"), "\(refused.stderr)")
            // The migration ran in one transaction: none of it stayed, and none is recorded as applied.
            let left = try await connection.query(
                """
                SELECT string_agg(tablename, ',' ORDER BY tablename) AS t FROM pg_tables
                WHERE schemaname = 'public' AND tablename NOT IN ('employers', 'schema_migrations')
                """)
            #expect(try left[0].decode(String?.self, column: "t") == nil)
            let applied = try await connection.query("SELECT count(*)::int AS n FROM schema_migrations")
            #expect(try applied[0].decode(Int.self, column: "n") == 0)
        }
    }

    @Test func usageErrorsExitTwo() async throws {
        let outcome = try await charterctl(["migrate", "--colour", "red"], environment: [:])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("--colour"))
    }

    /// An address digests could never reach is refused before anything is stored, as the API refuses it.
    @Test func aContactAddressNoEmailCouldReachIsAUsageError() async throws {
        let outcome = try await charterctl(
            ["contact", "add", "--employer", "1", "--name", "Pat Payroll", "--email", "pat@@alpha.example"],
            environment: [:])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("--email pat@@alpha.example cannot be mailed to"), "\(outcome.stderr)")
    }

    @Test func aBadSettingExitsOneWithASentence() async throws {
        let outcome = try await charterctl(
            ["migrate"], environment: ["CHARTERD_DATABASE_URL": "host=/x", "CHARTERD_MAIL_TRANSPORT": "pigeon"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("CHARTERD_MAIL_TRANSPORT"))
    }

    @Test func anUnreachableDatabaseExitsOne() async throws {
        let outcome = try await charterctl(
            ["migrate"], environment: ["CHARTERD_DATABASE_URL": "host=/nonexistent-dir dbname=x connect_timeout=1"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("connectionFailed"))
    }

    @Test func missingServerProgramsNameTheDebianPackage() async throws {
        let state = FileManager.default.temporaryDirectory.appending(path: "ctl-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }
        let outcome = try await charterctl(
            ["migrate"], environment: ["CHARTERD_STATE_DIR": state.path, "CHARTERD_PG_BINDIR": "/nonexistent/bin"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("/nonexistent/bin"))
        #expect(outcome.stderr.contains("apt-get install postgresql"))
        #expect(outcome.stderr.split(separator: "\n").count == 1, "one line: \(outcome.stderr)")
    }

    /// With an external database charterd needs the audit key, and the chain's own: without it, it stops
    /// before doing anything; with another, before writing anything.
    @Test func charterdRefusesToStartWithoutTheChainsAuditKey() async throws {
        let conninfo = try await TestCluster.freshDatabase("ctl_auditkey")
        let state = FileManager.default.temporaryDirectory.appending(path: "ctl-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }
        func charterd(key: String) async throws -> Outcome {
            var environment = ProcessInfo.processInfo.environment.filter {
                !$0.key.hasPrefix("CHARTERD_") && !["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"].contains($0.key)
            }
            environment.merge([
                "CHARTERD_DATABASE_URL": conninfo, "CHARTERD_AUDIT_KEY": key, "CHARTERD_STATE_DIR": state.path,
                "CHARTERD_HTTP_PORT": "0", "CHARTERD_MAIL_TRANSPORT": "none",
            ]) { $1 }
            let process = try SpawnedProcess(SpawnedProcess.builtExecutable("charterd"), [], environment: environment)
            let status = try await process.exitStatus()
            return Outcome(status: status, stdout: process.standardOutput, stderr: process.standardError)
        }
        let keyless = try await charterd(key: "")
        #expect(keyless.status == 1)
        #expect(
            keyless.stderr.contains(
                "charterd: CHARTERD_AUDIT_KEY is not set: with CHARTERD_DATABASE_URL the audit chain's key must be"
                    + " given, the same to charterd and charterctl"), "\(keyless.stderr)")
        try await PGConnection.with(conninfo) { connection in
            let untouched = try await connection.query("SELECT to_regclass('schema_migrations') IS NULL AS untouched")
            #expect(try untouched[0].decode(Bool.self, column: "untouched"))
        }

        let migrated = try await charterctl(["migrate"], environment: ["CHARTERD_DATABASE_URL": conninfo])
        #expect(migrated.status == 0, "\(migrated.stderr)")
        let otherKey = try await charterd(key: AuditKey.random().hex)
        #expect(otherKey.status == 1)
        #expect(
            otherKey.stderr.contains("CHARTERD_AUDIT_KEY is not the key this database's audit chain is written with"),
            "\(otherKey.stderr)")
    }
}

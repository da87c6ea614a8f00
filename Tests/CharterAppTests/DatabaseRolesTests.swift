import Foundation
import PGClient
import TestSupport
import Testing

/// deploy/postgresql-setup.sql on a fresh database of the test cluster, then the real `charterctl`
/// as the owner and as the runtime role, as an operator would use them.
@Suite("Least-privilege database roles", .timeLimit(.minutes(10)))
struct DatabaseRolesTests {
    struct Outcome {
        var status: Int32
        var output: String
    }

    func run(_ program: String, _ arguments: [String], environment extra: [String: String] = [:]) async throws
        -> Outcome
    {
        var environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("CHARTERD_") && !$0.key.hasPrefix("PG")
        }
        environment.merge(extra) { $1 }
        let process = try SpawnedProcess(program, arguments, environment: environment)
        let status = try await process.exitStatus()
        return Outcome(status: status, output: process.standardOutput + process.standardError)
    }

    func charterctl(_ arguments: [String], as conninfo: String) async throws -> Outcome {
        try await run(
            SpawnedProcess.builtExecutable("charterctl"), arguments,
            environment: ["CHARTERD_DATABASE_URL": conninfo].merging(TestAuditKey.environment) { $1 })
    }

    /// The setup script, with role names of this test's own: roles are cluster-wide, databases are not.
    func setup(_ conninfo: String, owner: String, runtime: String) async throws -> Outcome {
        let script = DeploymentFilesTests.repository.appending(path: "deploy/postgresql-setup.sql").path
        return try await run(
            TestCluster.program("psql"),
            [
                "-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", "owner_role=\(owner)", "-v", "runtime_role=\(runtime)",
                "-d", conninfo, "-f", script,
            ])
    }

    @Test func theRuntimeRoleWritesThroughTheAppButCannotRewriteTheAuditLog() async throws {
        let conninfo = try await TestCluster.freshDatabase("roles")
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let owner = "cw_owner_\(suffix)"
        let runtime = "cw_app_\(suffix)"
        let asOwner = TestCluster.conninfo(conninfo, role: owner)
        let asRuntime = TestCluster.conninfo(conninfo, role: runtime)

        let first = try await setup(conninfo, owner: owner, runtime: runtime)
        #expect(first.status == 0, "\(first.output)")

        // The runtime role may not create the schema: charterctl (and charterd at start-up) says who may.
        let early = try await charterctl(["migrate"], as: asRuntime)
        #expect(early.status == 1)
        #expect(early.output.contains("apply migrations as the schema's owner"), "\(early.output)")

        let migrated = try await charterctl(["migrate"], as: asOwner)
        #expect(migrated.status == 0, "\(migrated.output)")
        // What charterd does at every start, as the runtime role: nothing to do, nothing created.
        let again = try await charterctl(["migrate"], as: asRuntime)
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output.contains("current"))
        // A second run of the script (after a restore, say) is harmless.
        let second = try await setup(conninfo, owner: owner, runtime: runtime)
        #expect(second.status == 0, "\(second.output)")

        // The app's own writes work as the runtime role: a row and its audit entry, in one transaction.
        let added = try await charterctl(["employer", "add", "--name", "Mersey Care Homes Ltd"], as: asRuntime)
        #expect(added.status == 0, "\(added.output)")
        let verified = try await charterctl(["audit", "verify"], as: asRuntime)
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains("audit chain intact: 1 rows"), "\(verified.output)")

        // charterd itself starts as the runtime role (it migrates at start-up, finding nothing to do)
        // and is ready: /readyz reads schema_migrations as that role.
        let state = URL(fileURLWithPath: "/tmp/cwr-\(suffix)")
        defer { try? FileManager.default.removeItem(at: state) }
        let daemon = try DaemonProcess(
            stateDirectory: state,
            environment: ["CHARTERD_DATABASE_URL": asRuntime].merging(TestAuditKey.environment) { $1 })
        let url = try await daemon.listeningURL()
        #expect(try await status(of: url.appending(path: "readyz")) == 200)
        #expect(try await daemon.terminate() == 0, "\(daemon.log)")

        try await PGConnection.with(asRuntime) { connection in
            try await connection.simpleQuery("UPDATE employers SET name = name")
            let refused: [(statement: String, message: String)] = [
                ("UPDATE audit_log SET actor = 'mallory'", "permission denied for table audit_log"),
                ("DELETE FROM audit_log", "permission denied for table audit_log"),
                ("TRUNCATE audit_log", "permission denied for table audit_log"),
                (
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (999, 'x', 'x')",
                    "permission denied for table schema_migrations"
                ),
                ("CREATE TABLE shadow (id int)", "permission denied for schema public"),
                ("DROP TABLE employers", "must be owner of table employers"),
            ]
            for (statement, message) in refused {
                let error = await #expect(throws: PGError.self, "\(statement)") {
                    try await connection.simpleQuery(statement)
                }
                #expect(error?.sqlState == .insufficientPrivilege, "\(statement)")
                #expect(error?.debugDescription.contains(message) == true, "\(statement): \(String(reflecting: error))")
            }
            let rows = try await connection.query("SELECT count(*) AS n FROM audit_log")
            #expect(try rows.first?.decode(Int.self, column: "n") == 1)
        }
    }
}

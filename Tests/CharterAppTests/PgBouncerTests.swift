import CharterStore
import Foundation
import PGClient
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// charterd behind a real PgBouncer (Debian's `pgbouncer`), as many managed PostgreSQL services run it:
/// in session mode it works; in transaction mode it refuses at start-up with a sentence saying which
/// pooling mode to use, rather than half-working (its `LISTEN` and migration lock need sessions of their
/// own) — and so does charterctl, which reads the same settings.
@Suite("Behind PgBouncer", .timeLimit(.minutes(10)))
struct PgBouncerTests {
    /// A PgBouncer in front of the test cluster, listening on a Unix socket in its own directory.
    final class Bouncer: Sendable {
        let directory: URL
        let process: SpawnedProcess

        init(poolMode: String) async throws {
            let directory = URL(fileURLWithPath: "/tmp/cw-bouncer-\(UUID().uuidString.prefix(8))")
            self.directory = directory
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let cluster = TestCluster.adminConninfo
            let host = try #require(cluster.firstMatch(of: /host='([^']+)'/)).1
            try Data(
                """
                [databases]
                * = host=\(host) port=5432

                [pgbouncer]
                listen_addr =
                unix_socket_dir = \(directory.path)
                listen_port = 6432
                auth_type = trust
                auth_file = \(directory.path)/users.txt
                pool_mode = \(poolMode)
                default_pool_size = 10
                max_client_conn = 100
                ignore_startup_parameters = extra_float_digits,options
                pidfile = \(directory.path)/pgbouncer.pid

                """.utf8
            ).write(to: directory.appending(path: "pgbouncer.ini"))
            try Data("\"charterd\" \"\"\n".utf8).write(to: directory.appending(path: "users.txt"))
            // PgBouncer refuses to run as root; as root, it runs as the account the cluster runs as.
            var arguments = ["/usr/sbin/pgbouncer", directory.appending(path: "pgbouncer.ini").path]
            if geteuid() == 0 {
                for path in [directory.path]
                    + ["pgbouncer.ini", "users.txt"].map({ directory.appending(path: $0).path })
                {
                    try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: path)
                }
                arguments = ["/usr/sbin/runuser", "-u", "postgres", "--"] + arguments
            }
            let spawned = try SpawnedProcess(arguments[0], Array(arguments.dropFirst()), environment: [:])
            process = spawned
            let listening = try await spawned.watchOutput(within: .seconds(120)) {
                (spawned.standardOutput + spawned.standardError).contains("listening on unix:") ? true : nil
            }
            guard listening == true else {
                throw CharterStoreError(
                    .invalid, "pgbouncer did not start: \(spawned.standardOutput)\(spawned.standardError)")
            }
        }

        /// The conninfo of `database` through this PgBouncer.
        func conninfo(_ database: String) -> String {
            "host=\(directory.path) port=6432 user=charterd dbname=\(database)"
        }

        func stop() async throws {
            process.signal(SIGTERM)
            _ = try await process.exitStatus(within: .seconds(30))
            try? FileManager.default.removeItem(at: directory)
        }
    }

    static func database() async throws -> String {
        let conninfo = try await TestCluster.freshDatabase("bouncer")
        return try #require(conninfo.firstMatch(of: /dbname=([a-z0-9_]+)/)).1.description
    }

    @Test func inTransactionModeCharterdAndCharterctlRefuseToStartNamingThePoolMode() async throws {
        let bouncer = try await Bouncer(poolMode: "transaction")
        let database = try await Self.database()
        let state = URL(fileURLWithPath: "/tmp/cw-bouncer-state-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }
        let daemon = try DaemonProcess(database: bouncer.conninfo(database), stateDirectory: state)
        let status = try await daemon.exitStatus()
        #expect(status == 1)
        #expect(daemon.log.contains("pool_mode = session"), "\(daemon.log)")
        #expect(daemon.log.contains("gives one client's statements to different PostgreSQL sessions"))
        #expect(!daemon.log.contains("listening"))

        let migrate = try await CharterCtlTests().charterctl(
            ["migrate"], environment: ["CHARTERD_DATABASE_URL": bouncer.conninfo(database)])
        #expect(migrate.status == 1)
        #expect(migrate.stderr.contains("pool_mode = session"), "\(migrate.stderr)")
        // Nothing was migrated through it.
        let tables = try await PGConnection.with(TestCluster.conninfo(database: database)) {
            try await $0.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")[0].decode(Int.self, at: 0)
        }
        #expect(tables == 0)
        try await bouncer.stop()
    }

    @Test func inSessionModeCharterdMigratesServesAndStops() async throws {
        let bouncer = try await Bouncer(poolMode: "session")
        let database = try await Self.database()
        let state = URL(fileURLWithPath: "/tmp/cw-bouncer-state-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }
        let daemon = try DaemonProcess(database: bouncer.conninfo(database), stateDirectory: state)
        let url = try await daemon.listeningURL()
        let (_, response) = try await URLSession.shared.data(from: url.appending(path: "readyz"))
        #expect((response as? HTTPURLResponse)?.statusCode == 200, "\(daemon.log)")
        #expect(try await daemon.terminate() == 0)
        try await bouncer.stop()
    }
}

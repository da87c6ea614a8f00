import CharterStore
import EmbeddedPostgres
import Foundation
import Logging
import PGClient
import Synchronization

/// The one throwaway PostgreSQL cluster a test run shares, started with the same embedded code
/// charterd uses, and stopped (its directory removed) when the test process exits, however it exits.
///
/// Each suite asks for a fresh database, so suites never see each other's rows.
public enum TestCluster {
    private static let cluster: EmbeddedPostgres = {
        let directory = URL(fileURLWithPath: "/tmp/charterwatch-test-\(getpid())")
        return EmbeddedPostgres(
            directory: directory,
            // Durability is worthless for a throwaway cluster; speed is not.
            settings: [
                "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "max_connections": "600",
                // Every suite migrates fresh databases at once, each migration taking a lock on every
                // object it creates: 64 a connection ran out (SQLSTATE 53200) on a loaded machine.
                "max_locks_per_transaction": "256",
                // Each CREATE DATABASE writes its template into the WAL: the suites' start wrote 0.5 GB in
                // seconds, and checkpoints every 4 s stalled new connections past their timeout.
                "max_wal_size": "8GB", "checkpoint_timeout": "30min",
            ],
            logger: Logger(label: "test-cluster"))
    }()

    private static let started = Mutex<Task<Void, any Error>?>(nil)

    /// Starts the cluster once per process; every caller awaits the same start.
    public static func start() async throws {
        let task = started.withLock { task in
            if let task { return task }
            let fresh = Task {
                try await cluster.start()
                try stopAtExit(directory: cluster.directory)
            }
            task = fresh
            return fresh
        }
        try await task.value
    }

    /// Creates an empty database and returns its conninfo.
    public static func freshDatabase(_ label: String = "t") async throws -> String {
        try await create(label, template: nil)
    }

    /// Creates a database with the whole CharterWatch schema applied and returns its conninfo: a copy of one
    /// the test run migrated once. Two hundred suites each migrating their own at the start of a run kept two
    /// cores busy for minutes (a migration's first file took 22 s on CI); a copy is a file copy. Suites that
    /// test migrating itself (the migrator, charterd's and charterctl's start) begin from `freshDatabase`.
    public static func migratedDatabase(_ label: String) async throws -> String {
        try await create(label, template: try await migratedTemplate())
    }

    private static func create(_ label: String, template: String?) async throws -> String {
        try await start()
        let name =
            "\(label.lowercased().filter { $0.isLetter || $0.isNumber })_\(UUID().uuidString.prefix(8).lowercased())"
        _ = try await PGConnection.with(adminConninfo) { admin in
            if let template {
                try await admin.execute("CREATE DATABASE \(identifier: name) TEMPLATE \(identifier: template)")
            } else {
                try await admin.execute("CREATE DATABASE \(identifier: name)")
            }
        }
        return conninfo(database: name)
    }

    private static let migrated = Mutex<Task<String, any Error>?>(nil)

    /// The name of the migrated template, migrated once per process; every caller awaits the same migration.
    private static func migratedTemplate() async throws -> String {
        let task = migrated.withLock { task in
            if let task { return task }
            let fresh = Task {
                let name = "charter_schema_template"
                try await start()
                _ = try await PGConnection.with(adminConninfo) { admin in
                    try await admin.execute("CREATE DATABASE \(identifier: name)")
                }
                _ = try await PGConnection.with(conninfo(database: name)) { connection in
                    try await CharterSchema.migrator().migrate(on: connection)
                }
                // Nobody connects to it again, so no copy waits on (or fails for) a session inside it.
                _ = try await PGConnection.with(adminConninfo) { admin in
                    try await admin.execute(
                        "ALTER DATABASE \(identifier: name) WITH IS_TEMPLATE true ALLOW_CONNECTIONS false")
                    try await admin.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(name)")
                }
                return name
            }
            task = fresh
            return fresh
        }
        return try await task.value
    }

    /// The conninfo of `database` on the test cluster.
    public static func conninfo(database: String) -> String {
        adminConninfo.replacingOccurrences(
            of: "dbname=\(EmbeddedPostgres.databaseName)", with: "dbname=\(database)")
    }

    /// The conninfo of the cluster's maintenance database (for killing backends and the like).
    ///
    /// With a minute to connect, not libpq's 10 s: when every suite starts at once on a loaded two-core
    /// machine, a new connection has waited longer than that for the server to fork and start its backend.
    public static var adminConninfo: String { cluster.conninfo + " connect_timeout=60" }

    /// `conninfo` connecting as `role` instead of the cluster's superuser (the socket trusts every role).
    public static func conninfo(_ conninfo: String, role: String) -> String {
        conninfo.replacingOccurrences(of: "user=\(EmbeddedPostgres.databaseName) ", with: "user=\(role) ")
    }

    /// The path of a PostgreSQL client program (`psql`, `pg_dump`, `pg_restore`) of the version the
    /// cluster runs: `CHARTERD_PG_BINDIR`, else the newest `/usr/lib/postgresql/N/bin`.
    public static func program(_ name: String) -> String {
        if let directory = ProcessInfo.processInfo.environment["CHARTERD_PG_BINDIR"], !directory.isEmpty {
            return directory + "/" + name
        }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let newest = versions.compactMap(Int.init).max() ?? 15
        return "/usr/lib/postgresql/\(newest)/bin/\(name)"
    }
}

/// The watchdog that stops the cluster and removes its directory once the test process is gone; its
/// pipe stays open (never closed here) for as long as the process lives.
private let clusterWatchdog = Mutex<ExitWatchdog?>(nil)

/// Stops the throwaway cluster when the test process exits, however it exits: a crashed or killed
/// run used to leave its cluster running, as `atexit` does not run then.
private func stopAtExit(directory: URL) throws {
    let watchdog = try ExitWatchdog.removingCluster(at: directory.path)
    clusterWatchdog.withLock { $0 = watchdog }
}

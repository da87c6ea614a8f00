import EmbeddedPostgres
import Foundation
import Logging
import PGClient
import Synchronization

/// The one throwaway PostgreSQL cluster a test run shares, started with the same embedded code
/// charterd uses, and stopped when the test process exits.
///
/// Each suite asks for a fresh database, so suites never see each other's rows.
public enum TestCluster {
    private static let cluster: EmbeddedPostgres = {
        let directory = URL(fileURLWithPath: "/tmp/charterwatch-test-\(getpid())")
        return EmbeddedPostgres(
            directory: directory,
            // Durability is worthless for a throwaway cluster; speed is not.
            settings: [
                "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "max_connections": "300",
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
                stopAtExit(directory: cluster.directory)
            }
            task = fresh
            return fresh
        }
        try await task.value
    }

    /// Creates an empty database and returns its conninfo.
    public static func freshDatabase(_ label: String = "t") async throws -> String {
        try await start()
        let name =
            "\(label.lowercased().filter { $0.isLetter || $0.isNumber })_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try await PGConnection.connect(cluster.conninfo)
        try await admin.execute("CREATE DATABASE \(identifier: name)")
        await admin.close()
        return conninfo(database: name)
    }

    /// The conninfo of `database` on the test cluster.
    public static func conninfo(database: String) -> String {
        cluster.conninfo.replacingOccurrences(
            of: "dbname=\(EmbeddedPostgres.databaseName)", with: "dbname=\(database)")
    }

    /// The conninfo of the cluster's maintenance database (for killing backends and the like).
    public static var adminConninfo: String { cluster.conninfo }

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

/// `atexit` runs a C function with no context, so the directory waits in a global.
private let clusterToStop = Mutex<String?>(nil)

/// Stops the throwaway cluster when the test process exits.
///
/// Only plain libc here: Foundation's `Process` hangs when used while the process is exiting.
/// SIGQUIT is PostgreSQL's immediate shutdown; the directory is removed once the server is gone.
private func stopAtExit(directory: URL) {
    clusterToStop.withLock { $0 = directory.path }
    atexit {
        guard let path = clusterToStop.withLock({ $0 }) else { return }
        if let text = try? String(contentsOfFile: path + "/data/postmaster.pid", encoding: .utf8),
            let first = text.split(separator: "\n").first, let pid = pid_t(first)
        {
            kill(pid, SIGQUIT)
            // Wait (at most 5 s) until the postmaster has exited.
            for _ in 0..<500 where kill(pid, 0) == 0 {
                let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
                if stat.contains(") Z") { break }
                usleep(10_000)
            }
        }
        var child: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/rm"), strdup("-rf"), strdup(path), nil]
        defer { argv.forEach { free($0) } }
        if posix_spawn(&child, "/bin/rm", nil, nil, argv, environ) == 0 {
            var status: Int32 = 0
            waitpid(child, &status, 0)
        }
    }
}

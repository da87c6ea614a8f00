public import Foundation
public import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// A private PostgreSQL cluster kept under a state directory.
///
/// `start()` creates the cluster the first time (initdb), starts the server with a Unix socket
/// only (no TCP port) and waits until it accepts connections; a later `start()` reuses the
/// cluster, adopts a server that is still running, and clears a pid file left by a crash.
/// PostgreSQL refuses to run as root, so when this process is root the server runs as an
/// unprivileged account (`postgres`, from Debian's package) that owns the cluster directory; when
/// that account cannot reach `directory` (a checkout under root's 0700 home), the cluster lives in a
/// directory of its own instead and `directory` records where (see ``ClusterPlacement``).
public struct EmbeddedPostgres: Sendable {
    /// Where everything lives: `data/` (the cluster), `run/` (the socket), `postgres.log` — or, when
    /// the cluster had to move out of reach of a private directory, the `location` file naming
    /// ``clusterDirectory``.
    public let directory: URL
    /// Extra server settings (`-c name=value`), e.g. `fsync=off` for throwaway test clusters.
    public var settings: [String: String]
    /// Where initdb and pg_ctl are; nil looks in `CHARTERD_PG_BINDIR`, then `/usr/lib/postgresql/N/bin`.
    public var binDirectory: String?
    let logger: Logger

    /// The database and superuser name the cluster is created with.
    public static let databaseName = "charterd"

    public init(
        directory: URL, settings: [String: String] = [:], binDirectory: String? = nil,
        logger: Logger = Logger(label: "embedded-pg")
    ) {
        self.directory = directory.standardizedFileURL
        self.settings = settings
        self.binDirectory = binDirectory
        self.logger = logger
    }

    /// Where the cluster lives now: `directory`, or the home its `location` file names.
    ///
    /// Read from disk each time, so a process that did not start the cluster (a second charterd, or
    /// charterctl beside it) finds it just as the one that started it does.
    var placement: ClusterPlacement {
        guard let record = ClusterPlacement.record(in: directory), let postgres = ServerAccount.postgres(),
            record == relocatedHome(for: postgres).path
        else { return .inPlace(directory) }
        return ClusterPlacement(home: URL(fileURLWithPath: record), isRelocated: true)
    }

    /// The directory holding the cluster's `data/`, `run/` (the socket) and `postgres.log`: `directory`
    /// itself, unless the server account could not reach it (see ``ClusterPlacement``).
    public var clusterDirectory: URL { placement.home }

    /// The libpq conninfo reaching the cluster over its Unix socket.
    public var conninfo: String {
        "host='\(placement.socketDirectory.path)' port=5432 user=\(Self.databaseName) dbname=\(Self.databaseName)"
    }

    /// Where the cluster of this directory lives when it cannot live in place.
    func relocatedHome(for account: ServerAccount.Owner) -> URL {
        ClusterPlacement.relocatedHome(for: canonicalPath, accountHome: account.home)
    }

    /// The directory's path with symbolic links in its parent resolved, so one directory reached by
    /// two paths names one relocated cluster.
    var canonicalPath: String {
        let parent = directory.deletingLastPathComponent().path
        guard let resolved = realpath(parent, nil) else { return directory.path }
        defer { free(resolved) }
        let base = String(cString: resolved)
        return (base == "/" ? "" : base) + "/" + directory.lastPathComponent
    }

    /// What `start()` found.
    public enum StartOutcome: Sendable, Equatable {
        /// We started the server (creating the cluster if `created`).
        case started(created: Bool)
        /// A server was already running on this cluster; we use it as it is.
        case alreadyRunning
    }

    // MARK: Start and stop

    /// Creates the cluster if needed and makes sure its server is running and accepting connections.
    @discardableResult
    public func start() async throws -> StartOutcome {
        let tools = try PostgresTools.locate(explicit: binDirectory)
        let account = try ServerAccount.current()
        let cluster = try settlePlacement(account: account)
        var created = false
        if !FileManager.default.fileExists(atPath: cluster.dataDirectory.appending(path: "PG_VERSION").path) {
            try await initdb(cluster, tools: tools, account: account)
            created = true
        }
        if let pid = runningServerPID(cluster) {
            logger.info("using the embedded PostgreSQL already running", metadata: ["pid": "\(pid)"])
            return .alreadyRunning
        }
        try removeStaleLockFiles(cluster)
        logger.info("starting embedded PostgreSQL", metadata: ["directory": "\(cluster.home.path)"])
        var options = "-c listen_addresses='' -k '\(cluster.socketDirectory.path)' -c unix_socket_permissions=0700"
        for (name, value) in settings.sorted(by: { $0.key < $1.key }) { options += " -c \(name)=\(value)" }
        try await account.run(
            tools.pgCtl,
            ["-D", cluster.dataDirectory.path, "-l", cluster.logFile.path, "-o", options, "-w", "-t", "60", "start"],
            describing: "pg_ctl start", logFile: cluster.logFile)
        if created {
            try await account.run(
                tools.createdb, ["-h", cluster.socketDirectory.path, "-U", Self.databaseName, Self.databaseName],
                describing: "createdb", logFile: nil)
        }
        return .started(created: created)
    }

    /// Stops the server (fast shutdown: open sessions are rolled back) and waits until it is gone.
    public func stop() async throws {
        let cluster = placement
        guard runningServerPID(cluster) != nil else { return }
        let tools = try PostgresTools.locate(explicit: binDirectory)
        let account = try ServerAccount.current()
        logger.info("stopping embedded PostgreSQL")
        try await account.run(
            tools.pgCtl, ["-D", cluster.dataDirectory.path, "-m", "fast", "-w", "-t", "30", "stop"],
            describing: "pg_ctl stop", logFile: nil)
    }

    /// Whether a server is running on this cluster.
    public var isRunning: Bool { runningServerPID(placement) != nil }

    // MARK: Steps

    private func initdb(_ cluster: ClusterPlacement, tools: PostgresTools, account: ServerAccount) async throws {
        logger.info("creating embedded PostgreSQL cluster", metadata: ["directory": "\(cluster.dataDirectory.path)"])
        try await account.run(
            tools.initdb,
            [
                "-D", cluster.dataDirectory.path, "-U", Self.databaseName, "-A", "trust", "-E", "UTF8",
                "--locale=C.UTF-8",
                "--no-instructions",
            ],
            describing: "initdb", logFile: nil)
    }

    /// The postmaster's pid when it is alive; a pid file naming a dead or foreign process is stale.
    func runningServerPID(_ cluster: ClusterPlacement) -> Int32? {
        let pidFile = cluster.dataDirectory.appending(path: "postmaster.pid")
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8),
            let first = text.split(separator: "\n").first, let pid = Int32(first.trimmingCharacters(in: .whitespaces))
        else { return nil }
        guard kill(pid, 0) == 0 || errno == EPERM else { return nil }
        // After a reboot or in a container the pid may belong to some other program.
        let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
        guard comm.hasPrefix("postgres") || comm.hasPrefix("postmaster") else { return nil }
        return pid
    }

    private func removeStaleLockFiles(_ cluster: ClusterPlacement) throws {
        let manager = FileManager.default
        let pidFile = cluster.dataDirectory.appending(path: "postmaster.pid")
        if manager.fileExists(atPath: pidFile.path) {
            logger.warning("removing a stale postmaster.pid left by a server that is no longer running")
            try? manager.removeItem(at: pidFile)
        }
        let socketLock = cluster.socketDirectory.appending(path: ".s.PGSQL.5432.lock")
        if manager.fileExists(atPath: socketLock.path) { try? manager.removeItem(at: socketLock) }
        let socket = cluster.socketDirectory.appending(path: ".s.PGSQL.5432")
        if manager.fileExists(atPath: socket.path) { try? manager.removeItem(at: socket) }
    }
}

func errnoText() -> String { String(cString: strerror(errno)) }

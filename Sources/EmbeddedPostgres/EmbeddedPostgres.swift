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
/// unprivileged account (`postgres`, from Debian's package) that owns the cluster directory.
public struct EmbeddedPostgres: Sendable {
    /// Where everything lives: `data/` (the cluster), `run/` (the socket), `postgres.log`.
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

    var dataDirectory: URL { directory.appending(path: "data") }
    var socketDirectory: URL { directory.appending(path: "run") }
    var logFile: URL { directory.appending(path: "postgres.log") }

    /// The libpq conninfo reaching the cluster over its Unix socket.
    public var conninfo: String {
        "host='\(socketDirectory.path)' port=5432 user=\(Self.databaseName) dbname=\(Self.databaseName)"
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
        try prepareDirectories(account: account)
        var created = false
        if !FileManager.default.fileExists(atPath: dataDirectory.appending(path: "PG_VERSION").path) {
            try await initdb(tools: tools, account: account)
            created = true
        }
        if let pid = runningServerPID() {
            logger.info("using the embedded PostgreSQL already running", metadata: ["pid": "\(pid)"])
            return .alreadyRunning
        }
        try removeStaleLockFiles()
        logger.info("starting embedded PostgreSQL", metadata: ["directory": "\(directory.path)"])
        var options = "-c listen_addresses='' -k '\(socketDirectory.path)' -c unix_socket_permissions=0700"
        for (name, value) in settings.sorted(by: { $0.key < $1.key }) { options += " -c \(name)=\(value)" }
        try await account.run(
            tools.pgCtl,
            ["-D", dataDirectory.path, "-l", logFile.path, "-o", options, "-w", "-t", "60", "start"],
            describing: "pg_ctl start", logFile: logFile)
        if created {
            try await account.run(
                tools.createdb, ["-h", socketDirectory.path, "-U", Self.databaseName, Self.databaseName],
                describing: "createdb", logFile: nil)
        }
        return .started(created: created)
    }

    /// Stops the server (fast shutdown: open sessions are rolled back) and waits until it is gone.
    public func stop() async throws {
        guard runningServerPID() != nil else { return }
        let tools = try PostgresTools.locate(explicit: binDirectory)
        let account = try ServerAccount.current()
        logger.info("stopping embedded PostgreSQL")
        try await account.run(
            tools.pgCtl, ["-D", dataDirectory.path, "-m", "fast", "-w", "-t", "30", "stop"],
            describing: "pg_ctl stop", logFile: nil)
    }

    /// Whether a server is running on this cluster.
    public var isRunning: Bool { runningServerPID() != nil }

    // MARK: Steps

    private func prepareDirectories(account: ServerAccount) throws {
        let manager = FileManager.default
        // Unix socket paths are limited to 107 bytes; say so before PostgreSQL fails obscurely.
        let socketPath = socketDirectory.appending(path: ".s.PGSQL.5432").path
        guard socketPath.utf8.count <= 107 else {
            throw EmbeddedPostgresError(
                .stateDirectory,
                "the state directory \(directory.path) is too deep for a Unix socket path"
                    + " (\(socketPath.utf8.count) bytes, at most 107); set CHARTERD_STATE_DIR to a shorter path")
        }
        do {
            for url in [directory, socketDirectory] {
                try manager.createDirectory(at: url, withIntermediateDirectories: true, attributes: nil)
            }
            if let owner = account.owner {
                // The server account must own its directories; the parent only needs to be passable.
                let parent = directory.deletingLastPathComponent()
                chmodAddingSearch(parent.path)
                for url in [directory, socketDirectory] {
                    guard chown(url.path, owner.uid, owner.gid) == 0 else {
                        throw EmbeddedPostgresError(
                            .stateDirectory, "could not hand \(url.path) to the postgres account: \(errnoText())")
                    }
                }
                if manager.fileExists(atPath: dataDirectory.path) {
                    _ = chown(dataDirectory.path, owner.uid, owner.gid)
                }
            }
            _ = chmod(directory.path, 0o700)
            _ = chmod(socketDirectory.path, 0o700)
        } catch let error as EmbeddedPostgresError {
            throw error
        } catch {
            throw EmbeddedPostgresError(
                .stateDirectory, "could not create the state directory \(directory.path): \(error.localizedDescription)"
            )
        }
    }

    private func initdb(tools: PostgresTools, account: ServerAccount) async throws {
        logger.info("creating embedded PostgreSQL cluster", metadata: ["directory": "\(dataDirectory.path)"])
        try await account.run(
            tools.initdb,
            [
                "-D", dataDirectory.path, "-U", Self.databaseName, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8",
                "--no-instructions",
            ],
            describing: "initdb", logFile: nil)
    }

    /// The postmaster's pid when it is alive; a pid file naming a dead or foreign process is stale.
    func runningServerPID() -> Int32? {
        let pidFile = dataDirectory.appending(path: "postmaster.pid")
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8),
            let first = text.split(separator: "\n").first, let pid = Int32(first.trimmingCharacters(in: .whitespaces))
        else { return nil }
        guard kill(pid, 0) == 0 || errno == EPERM else { return nil }
        // After a reboot or in a container the pid may belong to some other program.
        let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
        guard comm.hasPrefix("postgres") || comm.hasPrefix("postmaster") else { return nil }
        return pid
    }

    private func removeStaleLockFiles() throws {
        let manager = FileManager.default
        let pidFile = dataDirectory.appending(path: "postmaster.pid")
        if manager.fileExists(atPath: pidFile.path) {
            logger.warning("removing a stale postmaster.pid left by a server that is no longer running")
            try? manager.removeItem(at: pidFile)
        }
        let socketLock = socketDirectory.appending(path: ".s.PGSQL.5432.lock")
        if manager.fileExists(atPath: socketLock.path) { try? manager.removeItem(at: socketLock) }
        let socket = socketDirectory.appending(path: ".s.PGSQL.5432")
        if manager.fileExists(atPath: socket.path) { try? manager.removeItem(at: socket) }
    }
}

private func chmodAddingSearch(_ path: String) {
    var info = stat()
    guard stat(path, &info) == 0 else { return }
    _ = chmod(path, (info.st_mode & 0o7777) | 0o001)
}

func errnoText() -> String { String(cString: strerror(errno)) }

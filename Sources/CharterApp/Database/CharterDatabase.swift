public import EmbeddedPostgres
import Foundation
public import Logging
import PGClient

/// The name this process's connections to the embedded cluster carry, e.g. `charterd-4711`.
let ownApplicationName: String = {
    let program = CommandLine.arguments.first.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "charterwatch"
    let safe = program.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
    return "\(safe.isEmpty ? "charterwatch" : safe)-\(getpid())"
}()

/// The database a process talks to: the configured server, or the embedded cluster.
public struct CharterDatabase: Sendable {
    /// libpq conninfo or URL. A secret when it carries a password: never log it.
    public let conninfo: String
    /// Set when the embedded cluster is in use.
    public let embedded: EmbeddedPostgres?

    /// Resolves the configured database, starting the embedded cluster when none is configured; a
    /// configured one behind a transaction pooler is refused with a sentence (`SessionPooling`).
    public static func open(_ configuration: CharterConfiguration, logger: Logger) async throws -> CharterDatabase {
        if let url = configuration.databaseConninfo {
            try await SessionPooling.requireOwnSessions(url)
            return CharterDatabase(conninfo: url, embedded: nil)
        }
        // No LLVM JIT: it maps generated code executable, which systemd's MemoryDenyWriteExecute=yes
        // (systemd/charterd.service) refuses, and charterd's queries are not the long analytics it pays for.
        let cluster = EmbeddedPostgres(
            directory: configuration.stateDirectory.appending(path: "postgres"), settings: ["jit": "off"],
            binDirectory: configuration.postgresBinDirectory, logger: logger)
        try await cluster.start()
        // Our own connections carry this process's name, so when it leaves it can tell them (even
        // ones whose backends have not quite exited yet) from another process's.
        return CharterDatabase(
            conninfo: cluster.conninfo + " application_name=" + ownApplicationName, embedded: cluster)
    }

    /// Stops the embedded server unless another process is still connected to it.
    ///
    /// charterd calls this after its pool has closed; charterctl after its command. A second
    /// charterd that failed to start, or a charterctl run beside a running charterd, must not pull
    /// the database from under the process still using it; the last one out stops it.
    /// - Returns: whether the server was stopped.
    @discardableResult
    public func releaseEmbedded(logger: Logger) async throws -> Bool {
        guard let embedded, embedded.isRunning else { return false }
        let others = try await PGConnection.with(conninfo) {
            try await $0.otherClientBackends(excludingApplicationName: ownApplicationName)
        }
        guard others == 0 else {
            logger.info(
                "leaving the embedded PostgreSQL running for the other processes connected to it",
                metadata: ["connections": "\(others)"])
            return false
        }
        try await embedded.stop()
        return true
    }
}

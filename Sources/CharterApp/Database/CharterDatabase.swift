public import EmbeddedPostgres
import Foundation
public import Logging
import PGClient

/// The database a process talks to: the configured server, or the embedded cluster.
public struct CharterDatabase: Sendable {
    /// libpq conninfo or URL. A secret when it carries a password: never log it.
    public let conninfo: String
    /// Set when the embedded cluster is in use.
    public let embedded: EmbeddedPostgres?
    /// Whether this process started the embedded server (rather than finding it running).
    public let startedEmbedded: Bool

    /// Resolves the configured database, starting the embedded cluster when none is configured.
    public static func open(_ configuration: CharterConfiguration, logger: Logger) async throws -> CharterDatabase {
        if let url = configuration.databaseURL {
            return CharterDatabase(conninfo: url, embedded: nil, startedEmbedded: false)
        }
        let cluster = EmbeddedPostgres(
            directory: configuration.stateDirectory.appending(path: "postgres"),
            binDirectory: configuration.postgresBinDirectory, logger: logger)
        let outcome = try await cluster.start()
        return CharterDatabase(
            conninfo: cluster.conninfo, embedded: cluster, startedEmbedded: outcome != .alreadyRunning)
    }

    /// Stops the embedded server unconditionally: charterd owns the cluster it runs on.
    public func stopEmbedded() async throws {
        try await embedded?.stop()
    }

    /// Stops the embedded server if this process started it and nobody else is connected:
    /// `charterctl` must not pull the database from under a running charterd.
    public func releaseEmbedded() async {
        guard let embedded, startedEmbedded else { return }
        do {
            let connection = try await PGConnection.connect(conninfo)
            let others = try await connection.query(
                """
                SELECT count(*) AS n FROM pg_stat_activity
                WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
                """
            ).first?.decode(Int.self, column: "n")
            await connection.close()
            if others == 0 { try await embedded.stop() }
        } catch {
            // Leaving the server running is harmless; the next start reuses it.
        }
    }
}

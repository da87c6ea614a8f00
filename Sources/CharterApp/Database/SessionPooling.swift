import PGClient

/// Refuses a connection pooler that hands one client's statements to different PostgreSQL sessions
/// (PgBouncer's `pool_mode = transaction` or `statement`), which many managed PostgreSQL services put in
/// front of the server.
///
/// charterd keeps state in its sessions: mail delivery waits on `LISTEN`, and migrations hold a session
/// advisory lock so that two instances starting together apply them once. Behind a transaction pooler
/// the `LISTEN` is registered on a server session that then serves other clients, and the lock can be
/// released by no one — so charterd says so at start-up instead of half-working.
///
/// The check needs two client connections and no privileges (`PGConnection.keepsSessions`).
enum SessionPooling {
    static let refusal =
        "CHARTERD_DATABASE_URL leads to a connection pooler that gives one client's statements to different "
        + "PostgreSQL sessions (PgBouncer's pool_mode = transaction or statement). charterd keeps state in its "
        + "sessions — LISTEN for mail delivery, an advisory lock while migrating — so give it a pool with "
        + "pool_mode = session, or connect it to PostgreSQL directly."

    /// Throws `ConfigurationError(refusal)` when `conninfo` leads to a transaction or statement pooler
    /// (`PGConnection.keepsSessions`).
    static func requireOwnSessions(_ conninfo: String) async throws {
        guard try await PGConnection.keepsSessions(conninfo) else { throw ConfigurationError(refusal) }
    }
}

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
/// The check needs two client connections and no privileges. The first asks for its backend's pid; the
/// second opens a transaction (a transaction pooler pins a server session to it, and hands it the idle
/// one the first just used) and asks for its own; the first asks again. Connected directly or through a
/// session pooler, the first sees the same backend twice and the second another; through a transaction
/// pooler, the two clients share a backend, or the first moves to another.
enum SessionPooling {
    static let refusal =
        "CHARTERD_DATABASE_URL leads to a connection pooler that gives one client's statements to different "
        + "PostgreSQL sessions (PgBouncer's pool_mode = transaction or statement). charterd keeps state in its "
        + "sessions — LISTEN for mail delivery, an advisory lock while migrating — so give it a pool with "
        + "pool_mode = session, or connect it to PostgreSQL directly."

    /// Throws `ConfigurationError(refusal)` when `conninfo` leads to a transaction or statement pooler.
    static func requireOwnSessions(_ conninfo: String) async throws {
        try await PGConnection.with(conninfo) { first in
            let before = try await backend(first)
            try await PGConnection.with(conninfo) { second in
                try await second.execute("BEGIN")
                let other = try await backend(second)
                let after = try await backend(first)
                try await second.execute("COMMIT")
                if other == before || after != before { throw ConfigurationError(refusal) }
            }
        }
    }

    private static func backend(_ connection: PGConnection) async throws -> Int32 {
        try await connection.query("SELECT pg_backend_pid()")[0].decode(Int32.self, at: 0)
    }
}

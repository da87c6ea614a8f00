extension PGConnection {
    /// How many other client connections the server holds, not counting this one or any whose
    /// `application_name` is `applicationName` (the caller's own, whose backends may not quite have
    /// exited yet): whether another process still uses the server.
    public func otherClientBackends(excludingApplicationName applicationName: String) async throws -> Int {
        try await query(
            """
            SELECT count(*) AS n FROM pg_stat_activity
            WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
              AND application_name IS DISTINCT FROM \(applicationName)
            """
        ).first?.decode(Int.self, column: "n") ?? 0
    }

    /// The process id of the server session running this connection's statements, as the server
    /// says it (behind a pooler, libpq's `PQbackendPID` knows only the pooler's own key).
    public func serverProcessID() async throws -> Int32 {
        try await query("SELECT pg_backend_pid()")[0].decode(Int32.self, at: 0)
    }

    /// Whether each connection to `conninfo` keeps one server session of its own — false behind a pooler
    /// that hands one client's statements to different sessions (PgBouncer's transaction or statement
    /// mode).
    ///
    /// Two connections: the first asks for its session's process id; the second opens a transaction (a
    /// transaction pooler pins a server session to it, and hands it the idle one the first just used)
    /// and asks for its own; the first asks again. Connected directly or through a session pooler, the
    /// first sees the same session twice and the second another; through a transaction pooler the two
    /// share a session, or the first moves.
    public static func keepsSessions(_ conninfo: String) async throws -> Bool {
        try await with(conninfo) { first in
            let before = try await first.serverProcessID()
            return try await with(conninfo) { second in
                try await second.execute("BEGIN")
                let other = try await second.serverProcessID()
                let after = try await first.serverProcessID()
                try await second.execute("COMMIT")
                return other != before && after == before
            }
        }
    }
}

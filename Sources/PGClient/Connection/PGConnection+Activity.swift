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
}

import PGClient

extension OutboxStore {
    /// How many messages there are in each state, in one grouped query: what the metrics gauges show.
    /// States with no message are absent.
    public func census() async throws -> [(state: String, count: Int64)] {
        try await pool.withConnection { connection in
            try await connection.query(
                "SELECT state, count(*)::int8 AS n FROM outbox_messages GROUP BY state"
            ).map { row in
                (state: try row.decode(String.self, column: "state"), count: try row.decode(Int64.self, column: "n"))
            }
        }
    }
}

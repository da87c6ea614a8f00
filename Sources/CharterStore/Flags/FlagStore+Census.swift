import PGClient

extension FlagStore {
    /// How many flags there are in each state with each severity, in one grouped query: what the metrics
    /// gauges show. Pairs with no flag are absent.
    public func census() async throws -> [(state: String, severity: String, count: Int64)] {
        try await pool.withConnection { connection in
            try await connection.query(
                "SELECT state, severity, count(*)::int8 AS n FROM flags GROUP BY state, severity"
            ).map { row in
                (
                    state: try row.decode(String.self, column: "state"),
                    severity: try row.decode(String.self, column: "severity"),
                    count: try row.decode(Int64.self, column: "n")
                )
            }
        }
    }
}

import PGClient

extension EmployerStore {
    /// How many employers the database holds (whether a first run has anything to seed into).
    public func count() async throws -> Int {
        try await pool.withConnection { connection in
            try await connection.query("SELECT count(*) AS n FROM employers")[0].decode(Int.self, column: "n")
        }
    }

    /// Every employer's id and name, in the order of their Gender Pay Gap employer ids: the order an
    /// import file lists them in, so what is seeded from a file lines up with its rows.
    public func namesByGPGOrder() async throws -> [(id: Int64, name: String)] {
        try await pool.withConnection { connection in
            try await connection.query("SELECT id, name FROM employers ORDER BY gpg_employer_id").map {
                (id: try $0.decode(Int64.self, column: "id"), name: try $0.decode(String.self, column: "name"))
            }
        }
    }
}

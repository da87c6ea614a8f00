import Foundation
import PGClient

extension JobRunLog {
    /// The runs (of `job`, or of every job), newest first, `limit` of them after skipping `offset`: a
    /// page of the workspace's runs list.
    public func page(job: String? = nil, offset: Int, limit: Int) async throws -> [JobRun] {
        try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT id, job, scheduled_for, claimed_by, started_at, finished_at, attempts, outcome,
                       counts::text AS counts, error, triggered_by
                FROM job_runs WHERE (\(job)::text IS NULL OR job = \(job))
                ORDER BY id DESC OFFSET \(max(0, offset)) LIMIT \(max(0, min(limit, 10_000)))
                """
            ).map(Self.run)
        }
    }

    /// How many runs there are (of `job`, or of every job).
    public func count(job: String? = nil) async throws -> Int {
        try await pool.withConnection { connection in
            Int(
                try await connection.query(
                    "SELECT count(*) AS n FROM job_runs WHERE (\(job)::text IS NULL OR job = \(job))"
                )[0].decode(Int64.self, column: "n"))
        }
    }

    /// The jobs that have runs, by name.
    public func jobs() async throws -> [String] {
        try await pool.withConnection { connection in
            try await connection.query("SELECT DISTINCT job FROM job_runs ORDER BY job").map {
                try $0.decode(String.self, column: "job")
            }
        }
    }
}

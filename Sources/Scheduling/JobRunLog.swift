public import Foundation
public import PGClient

/// One occurrence of a scheduled job as `job_runs` records it.
public struct JobRun: Sendable, Hashable, Codable {
    public var id: Int64
    public var job: String
    public var scheduledFor: Date
    public var claimedBy: String?
    public var startedAt: Date?
    public var finishedAt: Date?
    public var attempts: Int
    /// `running`, `succeeded`, `failed` or `dry_run`; nil while only claimed.
    public var outcome: String?
    /// What the run counted (returns evaluated, flags opened, …).
    public var counts: [String: Int]
    public var error: String?
    /// Who started the run by hand (an audit actor such as `charterctl:alice` or `user:3`); nil for a
    /// scheduled occurrence.
    public var triggeredBy: String?
}

/// Reads the record of job runs, newest first, for people (the API, the admin pages).
public struct JobRunLog: Sendable {
    public let pool: PGPool

    public init(pool: PGPool) {
        self.pool = pool
    }

    /// The newest runs (of `job`, or of every job), at most `limit`.
    public func recent(job: String? = nil, limit: Int = 50) async throws -> [JobRun] {
        try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT id, job, scheduled_for, claimed_by, started_at, finished_at, attempts, outcome,
                       counts::text AS counts, error, triggered_by
                FROM job_runs WHERE (\(job)::text IS NULL OR job = \(job))
                ORDER BY scheduled_for DESC, id DESC LIMIT \(max(1, min(limit, 500)))
                """
            ).map(Self.run)
        }
    }

    /// One run, or nil.
    public func run(id: Int64) async throws -> JobRun? {
        try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT id, job, scheduled_for, claimed_by, started_at, finished_at, attempts, outcome,
                       counts::text AS counts, error, triggered_by
                FROM job_runs WHERE id = \(id)
                """
            ).first.map(Self.run)
        }
    }

    static func run(_ row: PGRow) throws -> JobRun {
        let countsText = try row.decode(String.self, column: "counts")
        let counts = (try? JSONDecoder().decode([String: Int].self, from: Data(countsText.utf8))) ?? [:]
        return JobRun(
            id: try row.decode(Int64.self, column: "id"), job: try row.decode(String.self, column: "job"),
            scheduledFor: try row.decode(Date.self, column: "scheduled_for"),
            claimedBy: try row.decode(String?.self, column: "claimed_by"),
            startedAt: try row.decode(Date?.self, column: "started_at"),
            finishedAt: try row.decode(Date?.self, column: "finished_at"),
            attempts: try row.decode(Int.self, column: "attempts"),
            outcome: try row.decode(String?.self, column: "outcome"), counts: counts,
            error: try row.decode(String?.self, column: "error"),
            triggeredBy: try row.decode(String?.self, column: "triggered_by"))
    }

    /// Records a run started by hand, once it has ended, beside the scheduled occurrences (SPEC §6: every
    /// run is recorded). Its `scheduled_for` is when it started; the scheduler never counts it as one of
    /// its occurrences. Returns the run's id.
    @discardableResult
    public func recordHandRun(
        job: String, triggeredBy actor: String, startedAt: Date, finishedAt: Date, succeeded: Bool,
        counts: [String: Int], error: String?
    ) async throws -> Int64 {
        let countsJSON = String(
            decoding: try JSONSerialization.data(withJSONObject: counts, options: [.sortedKeys]), as: UTF8.self)
        return try await pool.withConnection { connection in
            try await connection.query(
                """
                INSERT INTO job_runs (job, scheduled_for, claimed_by, started_at, finished_at, attempts, outcome,
                                      counts, error, triggered_by)
                VALUES (\(job), \(startedAt), \(actor), \(startedAt), \(finishedAt), 1,
                        \(succeeded ? "succeeded" : "failed"), \(countsJSON)::jsonb, \(error), \(actor))
                RETURNING id
                """
            )[0].decode(Int64.self, column: "id")
        }
    }
}

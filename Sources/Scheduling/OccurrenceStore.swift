import Foundation
import PGClient

/// The `job_runs` table: one row per (job, scheduled time), claimed before the occurrence runs.
///
/// Times come from the scheduler's clock, never the database's `now()`, so leases expire by the
/// same clock the schedulers read (a test clock included).
struct OccurrenceStore: Sendable {
    let pool: PGPool

    struct Claim: Sendable {
        var runID: Int64
        var attempt: Int
    }

    /// Claims an occurrence: a new row, or one whose holder's lease ran out while it was running.
    /// Nil when another instance holds it or it has finished.
    func claim(job: String, scheduledFor: Date, instance: String, now: Date, leaseUntil: Date) async throws -> Claim? {
        try await pool.withConnection { connection in
            try await connection.query(
                """
                INSERT INTO job_runs (job, scheduled_for, claimed_by, lease_expires_at, heartbeat_at, started_at,
                                      attempts, outcome)
                VALUES (\(job), \(scheduledFor), \(instance), \(leaseUntil), \(now), \(now), 1, 'running')
                ON CONFLICT (job, scheduled_for) DO UPDATE
                    SET claimed_by = EXCLUDED.claimed_by, lease_expires_at = EXCLUDED.lease_expires_at,
                        heartbeat_at = EXCLUDED.heartbeat_at, attempts = job_runs.attempts + 1, error = NULL
                    WHERE job_runs.outcome = 'running' AND job_runs.lease_expires_at < \(now)
                RETURNING id, attempts
                """
            ).first.map {
                Claim(
                    runID: try $0.decode(Int64.self, column: "id"), attempt: try $0.decode(Int.self, column: "attempts")
                )
            }
        }
    }

    /// Extends the lease; false when this instance no longer holds the run.
    func heartbeat(runID: Int64, instance: String, now: Date, leaseUntil: Date) async throws -> Bool {
        try await pool.withConnection { connection in
            try await connection.execute(
                """
                UPDATE job_runs SET lease_expires_at = \(leaseUntil), heartbeat_at = \(now)
                WHERE id = \(runID) AND claimed_by = \(instance) AND outcome = 'running'
                """) == 1
        }
    }

    /// Records how the run ended, if this instance still holds it.
    func finish(
        runID: Int64, instance: String, now: Date, succeeded: Bool, counts: [String: Int], error: String?
    ) async throws {
        let countsJSON = String(
            decoding: try JSONSerialization.data(withJSONObject: counts, options: [.sortedKeys]), as: UTF8.self)
        try await pool.withConnection { connection in
            try await connection.execute(
                """
                UPDATE job_runs SET finished_at = \(now), outcome = \(succeeded ? "succeeded" : "failed"),
                                    counts = \(countsJSON)::jsonb, error = \(error), lease_expires_at = NULL
                WHERE id = \(runID) AND claimed_by = \(instance) AND outcome = 'running'
                """)
        }
    }

    /// The newest scheduled occurrence recorded for a job, whatever its outcome; runs started by hand
    /// are not occurrences of the schedule.
    func latestScheduled(job: String) async throws -> Date? {
        try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT max(scheduled_for) AS latest FROM job_runs
                WHERE job = \(job) AND outcome <> 'dry_run' AND triggered_by IS NULL
                """
            ).first?.decode(Date?.self, column: "latest")
        }
    }

    /// Occurrences still marked running whose lease has run out: their instance is gone.
    func abandoned(job: String, now: Date) async throws -> [Date] {
        try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT scheduled_for FROM job_runs
                WHERE job = \(job) AND outcome = 'running' AND lease_expires_at < \(now) AND triggered_by IS NULL
                ORDER BY scheduled_for
                """
            ).map { try $0.decode(Date.self, column: "scheduled_for") }
        }
    }
}

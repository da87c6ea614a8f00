import CharterDomain
import CharterStore
import Foundation
public import Logging
import Metrics
public import PGClient
public import Scheduling

/// The scheduled jobs of SPEC §6 that have landed, with their default schedules (Europe/London).
/// Emails and retention register theirs when they land.
public enum CharterJobs {
    /// `nightly-compliance` at 02:30 every night.
    public static let nightlyComplianceSchedule = "30 2 * * *"

    public static func all(pool: PGPool) throws -> [ScheduledJob] {
        let nightly = try CronSchedule(nightlyComplianceSchedule)
        return [
            ScheduledJob(name: "nightly-compliance", schedule: nightly) { context in
                // The occurrence's own date in Europe/London, so a late or repeated run judges the same day.
                let asOf = CalendarDate(context.scheduledFor, in: .europeLondon)
                let report = try await NightlyCompliance(pool: pool).run(asOf: asOf, actor: "nightly-compliance")
                context.logger.info(
                    "nightly compliance run finished",
                    metadata: report.counts.reduce(into: Logger.Metadata()) { $0[$1.key] = "\($1.value)" })
                return report.counts
            }
        ]
    }

    /// The scheduler charterd runs, each job's runs measured for `/metrics`.
    public static func scheduler(pool: PGPool, logger: Logger) throws -> Scheduler {
        Scheduler(
            jobs: try all(pool: pool).map(measured), pool: pool, logger: logger,
            onEvent: { event in
                if case .lostLease(let job, _) = event {
                    Counter(label: "charter_job_lost_leases_total", dimensions: [("job", job)]).increment()
                }
            })
    }

    /// The job with each run counted and timed by job and outcome (`succeeded`, `failed`); a run the
    /// scheduler retries after a transient error counts once per attempt.
    static func measured(_ job: ScheduledJob) -> ScheduledJob {
        var measured = job
        let run = job.run
        measured.run = { context in
            let started = ContinuousClock.now
            func record(_ outcome: String) {
                let elapsed = ContinuousClock.now - started
                let dimensions = [("job", job.name), ("outcome", outcome)]
                Counter(label: "charter_job_runs_total", dimensions: dimensions).increment()
                Metrics.Timer(label: "charter_job_run_duration_seconds", dimensions: dimensions).recordNanoseconds(
                    elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
            }
            do {
                let counts = try await run(context)
                record("succeeded")
                return counts
            } catch {
                record("failed")
                throw error
            }
        }
        return measured
    }
}

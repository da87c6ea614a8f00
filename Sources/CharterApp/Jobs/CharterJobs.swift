public import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
public import Logging
import Metrics
public import PGClient
public import Scheduling

/// The scheduled jobs of SPEC §6 that have landed, with their default schedules (Europe/London).
/// Retention registers its job when it lands.
public enum CharterJobs {
    /// `nightly-compliance` at 02:30 every night.
    public static let nightlyComplianceSchedule = "30 2 * * *"
    /// `return-reminders` at 08:00 every day.
    public static let returnRemindersSchedule = "0 8 * * *"
    /// `weekly-summary` at 07:00 every Monday.
    public static let weeklySummarySchedule = "0 7 * * 1"
    /// `accreditation-renewals` at 06:00 every day (SPEC §10 "Renewal").
    public static let accreditationRenewalsSchedule = "0 6 * * *"

    /// The jobs' names and default schedules; `CHARTERD_JOB_SCHEDULES` may replace any of them.
    public static let defaultSchedules: KeyValuePairs<String, String> = [
        "nightly-compliance": nightlyComplianceSchedule, "return-reminders": returnRemindersSchedule,
        "weekly-summary": weeklySummarySchedule, "accreditation-renewals": accreditationRenewalsSchedule,
    ]

    /// The schedule of `job`: the override from `schedules` if any, else its default.
    ///
    /// - Throws: a `ConfigurationError` naming the job and the expression's problem, or an unknown job.
    static func schedule(_ job: String, overrides schedules: [String: String]) throws -> CronSchedule {
        let expression = schedules[job] ?? defaultSchedules.first { $0.key == job }!.value
        do {
            return try CronSchedule(expression)
        } catch {
            throw ConfigurationError("CHARTERD_JOB_SCHEDULES: the schedule of \(job), \"\(expression)\", \(error)")
        }
    }

    /// Refuses overrides for jobs that do not exist (a typo would otherwise be ignored silently).
    static func checkNames(_ schedules: [String: String]) throws {
        let known = Set(defaultSchedules.map(\.key))
        if let unknown = schedules.keys.sorted().first(where: { !known.contains($0) }) {
            throw ConfigurationError(
                "CHARTERD_JOB_SCHEDULES names \(unknown), which is not a job; the jobs are "
                    + defaultSchedules.map(\.key).joined(separator: ", "))
        }
    }

    /// The jobs. With no `renderer` no email is queued: the nightly run still judges returns, and the
    /// email jobs log that they skipped.
    public static func all(
        pool: PGPool, renderer: (any ReportRendering)? = nil, schedules: [String: String] = [:]
    ) throws -> [ScheduledJob] {
        try checkNames(schedules)
        let queue = renderer.map { ReportQueue(renderer: $0) }
        return [
            ScheduledJob(name: "nightly-compliance", schedule: try schedule("nightly-compliance", overrides: schedules))
            { context in
                // The occurrence's own date in Europe/London, so a late or repeated run judges the same day.
                let asOf = CalendarDate(context.scheduledFor, in: .europeLondon)
                let report = try await NightlyCompliance(pool: pool, reportQueue: queue).run(
                    asOf: asOf, actor: "nightly-compliance")
                if queue == nil { context.logger.info("no report renderer: the nightly run queued no digests") }
                var metadata = report.counts.reduce(into: Logger.Metadata()) { $0[$1.key] = "\($1.value)" }
                let timings = report.timings
                for (phase, seconds) in [
                    ("figures", timings.figures), ("judging", timings.judging), ("writing", timings.writing),
                    ("rest", timings.rest),
                ] {
                    metadata["seconds_\(phase)"] = "\((seconds * 1000).rounded() / 1000)"
                }
                context.logger.info("nightly compliance run finished", metadata: metadata)
                return report.counts
            },
            ScheduledJob(name: "return-reminders", schedule: try schedule("return-reminders", overrides: schedules)) {
                context in
                guard let queue else {
                    context.logger.info("no report renderer: return reminders not queued")
                    return ["emails_queued": 0]
                }
                // A late or repeated occurrence sends the rung of its own day; the dedup keys stop repeats.
                let asOf = CalendarDate(context.scheduledFor, in: .europeLondon)
                let outcome = try await queue.queueReminders(asOf: asOf, pool: pool)
                context.logger.info(
                    "return reminders queued",
                    metadata: [
                        "emails_queued": "\(outcome.queued)", "emails_not_rendered": "\(outcome.unrendered.count)",
                    ])
                return ["emails_queued": outcome.queued, "emails_not_rendered": outcome.unrendered.count]
            },
            ScheduledJob(name: "weekly-summary", schedule: try schedule("weekly-summary", overrides: schedules)) {
                context in
                guard let queue else {
                    context.logger.info("no report renderer: weekly summary not queued")
                    return ["emails_queued": 0]
                }
                let weekEnding = CalendarDate(context.scheduledFor, in: .europeLondon)
                let outcome = try await queue.queueWeeklySummary(weekEnding: weekEnding, pool: pool)
                if outcome.queued == 0 && outcome.unrendered.isEmpty {
                    context.logger.info("weekly summary not queued (no admin user, or sent already)")
                }
                return ["emails_queued": outcome.queued, "emails_not_rendered": outcome.unrendered.count]
            },
            ScheduledJob(
                name: "accreditation-renewals", schedule: try schedule("accreditation-renewals", overrides: schedules)
            ) { context in
                // The occurrence's own day: a late or repeated run reminds and lapses as of that day, and
                // the outbox keys and the pledge lock keep a repeat from doing anything twice.
                let asOf = CalendarDate(context.scheduledFor, in: .europeLondon)
                let outcome = try await AccreditationRenewals(pool: pool, reportQueue: queue).run(
                    asOf: asOf, actor: "accreditation-renewals")
                if queue == nil { context.logger.info("no report renderer: accreditation emails not queued") }
                for failure in outcome.failures {
                    context.logger.error("an accreditation could not lapse", metadata: ["reason": "\(failure)"])
                }
                context.logger.info(
                    "accreditation renewals done",
                    metadata: outcome.counts.reduce(into: Logger.Metadata()) { $0[$1.key] = "\($1.value)" })
                return outcome.counts
            },
        ]
    }

    /// The scheduler charterd runs, each job's runs measured for `/metrics`.
    public static func scheduler(
        pool: PGPool, logger: Logger, renderer: (any ReportRendering)? = nil, schedules: [String: String] = [:]
    ) throws -> Scheduler {
        let jobs = try all(pool: pool, renderer: renderer, schedules: schedules)
        // Every job's run counters exist from start-up, at zero, so "failed runs > 0" can be alerted on
        // before the first failure (and `increase()` sees the first one).
        for job in jobs {
            for outcome in ["succeeded", "failed"] {
                Counter(label: "charter_job_runs_total", dimensions: [("job", job.name), ("outcome", outcome)])
                    .increment(by: 0)
            }
        }
        return Scheduler(
            jobs: jobs.map(measured), pool: pool,
            logger: logger,
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

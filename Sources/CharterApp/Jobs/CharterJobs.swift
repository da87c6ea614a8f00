import CharterDomain
import CharterStore
import Foundation
public import Logging
public import PGClient
public import Scheduling

/// The scheduled jobs of SPEC §6 that have landed, with their default schedules (Europe/London).
/// Emails and retention register theirs when they land.
public enum CharterJobs {
    /// `nightly-compliance` at 02:30 every night.
    public static let nightlyComplianceSchedule = "30 2 * * *"

    /// The jobs' names and default schedules; `CHARTERD_JOB_SCHEDULES` may replace any of them.
    public static let defaultSchedules: KeyValuePairs<String, String> = [
        "nightly-compliance": nightlyComplianceSchedule
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

    public static func all(pool: PGPool, schedules: [String: String] = [:]) throws -> [ScheduledJob] {
        try checkNames(schedules)
        let nightly = try schedule("nightly-compliance", overrides: schedules)
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

    public static func scheduler(pool: PGPool, logger: Logger, schedules: [String: String] = [:]) throws -> Scheduler {
        Scheduler(jobs: try all(pool: pool, schedules: schedules), pool: pool, logger: logger)
    }
}

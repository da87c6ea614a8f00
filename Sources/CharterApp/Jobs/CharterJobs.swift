public import CharterDomain
import CharterStore
import Foundation
public import Logging
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

    /// The jobs. With no `renderer` (charterd until the template renderer is wired in) no email is
    /// queued: the nightly run still judges returns, and the email jobs log that they skipped.
    public static func all(pool: PGPool, renderer: (any ReportRendering)? = nil) throws -> [ScheduledJob] {
        let queue = renderer.map { ReportQueue(renderer: $0) }
        return [
            ScheduledJob(name: "nightly-compliance", schedule: try CronSchedule(nightlyComplianceSchedule)) { context in
                // The occurrence's own date in Europe/London, so a late or repeated run judges the same day.
                let asOf = CalendarDate(context.scheduledFor, in: .europeLondon)
                let report = try await NightlyCompliance(pool: pool, reportQueue: queue).run(
                    asOf: asOf, actor: "nightly-compliance")
                if queue == nil { context.logger.info("no report renderer: the nightly run queued no digests") }
                context.logger.info(
                    "nightly compliance run finished",
                    metadata: report.counts.reduce(into: Logger.Metadata()) { $0[$1.key] = "\($1.value)" })
                return report.counts
            },
            ScheduledJob(name: "return-reminders", schedule: try CronSchedule(returnRemindersSchedule)) { context in
                guard let queue else {
                    context.logger.info("no report renderer: return reminders not queued")
                    return ["emails_queued": 0]
                }
                // A late or repeated occurrence sends the rung of its own day; the dedup keys stop repeats.
                let asOf = CalendarDate(context.scheduledFor, in: .europeLondon)
                let queued = try await queue.queueReminders(asOf: asOf, pool: pool)
                context.logger.info("return reminders queued", metadata: ["emails_queued": "\(queued)"])
                return ["emails_queued": queued]
            },
            ScheduledJob(name: "weekly-summary", schedule: try CronSchedule(weeklySummarySchedule)) { context in
                guard let queue else {
                    context.logger.info("no report renderer: weekly summary not queued")
                    return ["emails_queued": 0]
                }
                let weekEnding = CalendarDate(context.scheduledFor, in: .europeLondon)
                let queued = try await queue.queueWeeklySummary(weekEnding: weekEnding, pool: pool)
                if queued == 0 { context.logger.info("weekly summary not queued (no admin user, or sent already)") }
                return ["emails_queued": queued]
            },
        ]
    }

    public static func scheduler(pool: PGPool, logger: Logger, renderer: (any ReportRendering)? = nil) throws
        -> Scheduler
    {
        Scheduler(jobs: try all(pool: pool, renderer: renderer), pool: pool, logger: logger)
    }
}

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

    public static func scheduler(pool: PGPool, logger: Logger) throws -> Scheduler {
        Scheduler(jobs: try all(pool: pool), pool: pool, logger: logger)
    }
}

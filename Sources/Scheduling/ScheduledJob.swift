public import Foundation
public import Logging

/// When a job runs: the next scheduled instant strictly after a given one (a cron schedule).
public protocol JobSchedule: Sendable {
    func nextDate(after instant: Date) -> Date?
}

/// What a running occurrence knows about itself.
public struct JobRunContext: Sendable {
    /// The `job_runs` row.
    public var runID: Int64
    public var job: String
    /// The scheduled instant this run is for (not when it started).
    public var scheduledFor: Date
    /// Which attempt this is; above 1 after a take-over or a retry.
    public var attempt: Int
    public var logger: Logger
}

/// A job the scheduler runs at each occurrence of its schedule, once across every instance.
public struct ScheduledJob: Sendable {
    public var name: String
    public var schedule: any JobSchedule
    /// Does the work; returns the counts recorded with the run (e.g. `flags_opened`).
    public var run: @Sendable (JobRunContext) async throws -> [String: Int]

    public init(
        name: String, schedule: any JobSchedule, run: @escaping @Sendable (JobRunContext) async throws -> [String: Int]
    ) {
        self.name = name
        self.schedule = schedule
        self.run = run
    }
}

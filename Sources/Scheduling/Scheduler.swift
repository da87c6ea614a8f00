public import Foundation
public import Logging
public import PGClient
public import ServiceLifecycle

/// Something a scheduler did, for logs, metrics and tests.
public enum SchedulerEvent: Sendable, Hashable {
    /// This instance ran the occurrence to the end (`succeeded` false: it failed after its retries).
    case ran(job: String, scheduledFor: Date, attempt: Int, succeeded: Bool)
    /// Another instance holds or has finished the occurrence.
    case skipped(job: String, scheduledFor: Date)
    /// This instance lost the lease while running (another took it over); it stopped.
    case lostLease(job: String, scheduledFor: Date)
}

/// Runs jobs at their scheduled times, each occurrence exactly once across every instance sharing
/// the database (SPEC §6).
///
/// Before an occurrence runs it is claimed by inserting its `(job, scheduled_for)` row; the
/// unique key lets only one instance in. The claim carries a lease that a heartbeat renews while
/// the job runs; an instance that dies stops renewing, and once the lease has run out another
/// instance takes the occurrence over (instances wake at least once per lease to look). A finished
/// occurrence is never run again. Occurrences missed while no instance was running run once at
/// start-up (the latest of them), then the schedule continues. Transient database errors are
/// retried with backoff; every run is recorded with its outcome, counts and error.
public final class Scheduler: Service, Sendable {
    public struct Configuration: Sendable {
        /// How long a claim holds without a heartbeat. Default 60 seconds.
        public var lease: TimeInterval = 60
        /// Attempts at a job that fails with a transient database error. Default 3.
        public var maxAttempts = 3
        /// First retry pause, doubled each time (to 30 seconds at most). Default 5 seconds.
        public var retryBackoff: TimeInterval = 5
        /// How long a job is tried again for while the database is out of reach or going away (a failover,
        /// a restart), however many attempts that takes. Default 120 seconds.
        public var outagePatience: TimeInterval = 120

        public init() {}
    }

    public let instance: String
    private let jobs: [ScheduledJob]
    private let store: OccurrenceStore
    private let clock: any JobClock
    private let configuration: Configuration
    private let logger: Logger
    private let onEvent: @Sendable (SchedulerEvent) -> Void

    public init(
        jobs: [ScheduledJob], pool: PGPool, instance: String = "\(ProcessInfo.processInfo.hostName):\(getpid())",
        clock: any JobClock = SystemJobClock(), configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "charter.scheduler"),
        onEvent: @escaping @Sendable (SchedulerEvent) -> Void = { _ in }
    ) {
        self.jobs = jobs
        self.store = OccurrenceStore(pool: pool)
        self.instance = instance
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
        self.onEvent = onEvent
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for job in self.jobs {
                    group.addTask { await self.loop(job) }
                }
            }
        }
    }

    /// One job's life: catch up on missed occurrences, then follow the schedule.
    func loop(_ job: ScheduledJob) async {
        var cursor = clock.now()
        do {
            if let last = try await store.latestScheduled(job: job.name) {
                // Missed while down: run only the latest of them, once.
                var missed: Date?
                var next = job.schedule.nextDate(after: last)
                while let occurrence = next, occurrence <= cursor {
                    missed = occurrence
                    next = job.schedule.nextDate(after: occurrence)
                }
                if let missed { await attempt(job, missed) }
            }
        } catch {
            logger.error("cannot read the job history", metadata: ["job": "\(job.name)", "error": "\(error)"])
        }
        while !Task.isCancelled {
            do {
                for occurrence in try await store.abandoned(job: job.name, now: clock.now()) {
                    await attempt(job, occurrence)
                }
                guard let next = job.schedule.nextDate(after: cursor) else { return }
                // Wake at least once per lease to take over occurrences whose instance died.
                let wake = min(next, clock.now().addingTimeInterval(configuration.lease))
                try await clock.sleep(until: wake)
                if clock.now() >= next {
                    cursor = next
                    await attempt(job, next)
                }
            } catch is CancellationError {
                return
            } catch {
                logger.error(
                    "scheduler loop failed; trying again", metadata: ["job": "\(job.name)", "error": "\(error)"])
                try? await clock.sleep(until: clock.now().addingTimeInterval(configuration.retryBackoff))
            }
        }
    }

    /// Claims the occurrence and, if this instance got it, runs it under a heartbeat.
    func attempt(_ job: ScheduledJob, _ scheduledFor: Date) async {
        let now = clock.now()
        let claim: OccurrenceStore.Claim?
        do {
            claim = try await store.claim(
                job: job.name, scheduledFor: scheduledFor, instance: instance, now: now,
                leaseUntil: now.addingTimeInterval(configuration.lease))
        } catch {
            logger.error("cannot claim an occurrence", metadata: ["job": "\(job.name)", "error": "\(error)"])
            return
        }
        guard let claim else {
            onEvent(.skipped(job: job.name, scheduledFor: scheduledFor))
            return
        }
        var runLogger = logger
        runLogger[metadataKey: "job"] = "\(job.name)"
        runLogger[metadataKey: "run_id"] = "\(claim.runID)"
        let context = JobRunContext(
            runID: claim.runID, job: job.name, scheduledFor: scheduledFor, attempt: claim.attempt, logger: runLogger)
        runLogger.info("running scheduled job", metadata: ["scheduled_for": "\(scheduledFor)"])

        enum Ending: Sendable {
            case finished(Result<[String: Int], any Error>)
            case leaseLost
        }
        let beatLogger = runLogger
        let ending: Ending = await withTaskGroup(of: Ending?.self) { group in
            group.addTask { .finished(await self.runWithRetries(job, context)) }
            group.addTask {
                // The heartbeat: renew a third of the way into each lease; stop the job if it is lost.
                while !Task.isCancelled {
                    let beat = self.clock.now().addingTimeInterval(self.configuration.lease / 3)
                    do {
                        try await self.clock.sleep(until: beat)
                        let now = self.clock.now()
                        let held = try await self.store.heartbeat(
                            runID: claim.runID, instance: self.instance, now: now,
                            leaseUntil: now.addingTimeInterval(self.configuration.lease))
                        if !held { return .leaseLost }
                    } catch is CancellationError {
                        return nil
                    } catch {
                        // A missed heartbeat is not fatal: the lease still has two thirds to run.
                        beatLogger.warning("heartbeat failed", metadata: ["error": "\(error)"])
                    }
                }
                return nil
            }
            var result: Ending?
            for await next in group {
                if let next {
                    result = next
                    group.cancelAll()
                    break
                }
            }
            return result ?? .leaseLost
        }

        switch ending {
        case .leaseLost:
            runLogger.warning("lost the lease on a running job; another instance has taken it over")
            onEvent(.lostLease(job: job.name, scheduledFor: scheduledFor))
        case .finished(let result):
            if Task.isCancelled {
                // Shutting down mid-run: leave the claim to expire, so another instance takes it over.
                return
            }
            let succeeded: Bool
            let counts: [String: Int]
            let message: String?
            switch result {
            case .success(let value):
                (succeeded, counts, message) = (true, value, nil)
            case .failure(let error):
                (succeeded, counts, message) = (false, [:], "\(error)")
                runLogger.error("scheduled job failed", metadata: ["error": "\(error)"])
            }
            // The work is done: a database gone for a moment (a failover, a restart) is waited out for up to
            // half the lease, so that no other instance takes the finished occurrence over and runs it again.
            let recorded: Bool? = await PGPatience.retrying(
                for: .seconds(configuration.lease / 2),
                report: { error, givingUp in
                    if givingUp {
                        runLogger.error("cannot record the end of a run", metadata: ["error": "\(error)"])
                    } else {
                        runLogger.warning(
                            "cannot record the end of a run yet; trying again", metadata: ["error": "\(error)"])
                    }
                }
            ) {
                try await self.store.finish(
                    runID: claim.runID, instance: self.instance, now: self.clock.now(), succeeded: succeeded,
                    counts: counts, error: message)
                return true
            }
            if recorded != nil {
                onEvent(.ran(job: job.name, scheduledFor: scheduledFor, attempt: claim.attempt, succeeded: succeeded))
            }
        }
    }

    /// Runs the job, retrying transient database failures with a doubling pause: `maxAttempts` in all, or
    /// for as long as `outagePatience` from the first failure while the database is out of reach.
    private func runWithRetries(_ job: ScheduledJob, _ context: JobRunContext) async -> Result<[String: Int], any Error>
    {
        var pause = configuration.retryBackoff
        var attempt = 0
        var outageStarted: Date?
        while true {
            attempt += 1
            do {
                return .success(try await job.run(context))
            } catch let error as PGError where Self.isTransient(error) {
                var waitingOutOutage = false
                if error.isDatabaseUnavailable {
                    let started = outageStarted ?? clock.now()
                    outageStarted = started
                    waitingOutOutage = clock.now().timeIntervalSince(started) < configuration.outagePatience
                }
                guard attempt < configuration.maxAttempts || waitingOutOutage else { return .failure(error) }
                context.logger.warning(
                    "transient database error; retrying", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                do {
                    try await clock.sleep(until: clock.now().addingTimeInterval(pause * Double.random(in: 0.8...1.2)))
                } catch {
                    return .failure(error)
                }
                pause = min(pause * 2, 30)
            } catch {
                return .failure(error)
            }
        }
    }

    /// A failure that passes by itself: a serialization failure or deadlock, or the database out of reach
    /// or going away (a failover: the primary shutting down, the standby not yet promoted).
    static func isTransient(_ error: PGError) -> Bool {
        error.isTransactionRetryable || error.isDatabaseUnavailable
    }
}

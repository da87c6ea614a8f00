import CharterStore
import Foundation
import PGClient
import SchedulingTestSupport
import Synchronization
import TestSupport
import Testing

@testable import Scheduling

/// Which failures of a job the scheduler tries again under the same claim: those that pass by themselves
/// (a failover among them: the primary shutting down under the run, the standby not yet promoted), and
/// never a statement that is wrong.
@Suite("What a scheduled job is tried again for")
struct SchedulerRetryTests {
    @Test(arguments: [
        (
            PGError(.server, sqlState: .adminShutdown, message: "terminating connection due to administrator command"),
            true
        ),
        (PGError(.server, sqlState: SQLState(rawValue: "57P02"), message: "crash shutdown"), true),
        (PGError(.server, sqlState: SQLState(rawValue: "08006"), message: "connection failure"), true),
        (PGError(.connectionClosed, message: "server closed the connection unexpectedly"), true),
        (PGError(.connectionFailed, message: "connection refused"), true),
        (PGError(.server, sqlState: .serializationFailure, message: "could not serialize access"), true),
        (PGError(.server, sqlState: .uniqueViolation, message: "duplicate key value"), false),
        (PGError(.server, sqlState: .syntaxError, message: "syntax error"), false),
    ])
    func aFailureIsTriedAgainOnlyWhenItPassesByItself(error: PGError, triedAgain: Bool) {
        #expect(Scheduler.isTransient(error) == triedAgain, "\(error)")
    }
}

/// A job run under a claim in a real database, failing in the ways a failover and a wrong statement fail.
@Suite("A scheduled job through a database outage", .timeLimit(.minutes(10)))
struct SchedulerOutageTests {
    let pool: PGPool
    init() async throws {
        let conninfo = try await TestCluster.migratedDatabase("outage")
        pool = PGPool(configuration: PGPoolConfiguration(conninfo: conninfo))
    }

    /// A scheduler that tries twice in all, except while the database is out of reach.
    func scheduler(_ job: ScheduledJob, log: SchedulerEventLog) -> Scheduler {
        var configuration = Scheduler.Configuration()
        configuration.maxAttempts = 2
        configuration.retryBackoff = 0.01
        configuration.outagePatience = 60
        return Scheduler(jobs: [job], pool: pool, instance: "outage", configuration: configuration, onEvent: log.record)
    }

    /// How many times a job has been run.
    final class Attempts: Sendable {
        private let count = Mutex(0)
        func next() -> Int {
            count.withLock {
                $0 += 1
                return $0
            }
        }
        var made: Int { count.withLock { $0 } }
    }

    func job(failing times: Int, with error: PGError, attempts: Attempts) -> ScheduledJob {
        ScheduledJob(name: "weekly-summary", schedule: EverySchedule(origin: .distantPast, step: 86_400)) { _ in
            if attempts.next() <= times { throw error }
            return ["done": 1]
        }
    }

    func outcome(_ scheduledFor: Date) async throws -> String {
        try await pool.withConnection {
            try await $0.query("SELECT outcome FROM job_runs WHERE scheduled_for = \(scheduledFor)")[0]
                .decode(String.self, column: "outcome")
        }
    }

    @Test func anOccurrenceOutlastsAnOutageOfMoreAttemptsThanItIsAllowed() async throws {
        let attempts = Attempts()
        let log = SchedulerEventLog()
        let lost = PGError(.server, sqlState: .adminShutdown, message: "terminating connection")
        let job = job(failing: 5, with: lost, attempts: attempts)
        let at = Date(timeIntervalSince1970: 1_790_000_000)
        await scheduler(job, log: log).attempt(job, at)
        #expect(attempts.made == 6)
        #expect(log.all == [.ran(job: "weekly-summary", scheduledFor: at, attempt: 1, succeeded: true)])
        #expect(try await outcome(at) == "succeeded")
    }

    @Test func aWrongStatementIsNotTriedAgain() async throws {
        let attempts = Attempts()
        let log = SchedulerEventLog()
        let wrong = PGError(.server, sqlState: .syntaxError, message: "syntax error at or near \"SELEC\"")
        let job = job(failing: 5, with: wrong, attempts: attempts)
        let at = Date(timeIntervalSince1970: 1_790_086_400)
        await scheduler(job, log: log).attempt(job, at)
        #expect(attempts.made == 1)
        #expect(log.all == [.ran(job: "weekly-summary", scheduledFor: at, attempt: 1, succeeded: false)])
        #expect(try await outcome(at) == "failed")
    }
}

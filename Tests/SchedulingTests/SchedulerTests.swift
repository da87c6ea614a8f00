import CharterStore
import Foundation
import PGClient
import Scheduling
import SchedulingTestSupport
import TestSupport
import Testing

/// Every `step` seconds from a fixed origin: a stand-in for the nightly cron schedule, so the test
/// is about claims and leases, not calendars.
struct EverySchedule: JobSchedule {
    let origin: Date
    let step: TimeInterval

    func nextDate(after instant: Date) -> Date? {
        let steps = ((instant.timeIntervalSince(origin)) / step).rounded(.down) + 1
        return origin.addingTimeInterval(max(steps, 0) * step)
    }
}

/// Who is running a job right now, for the test to kill.
final class Hang: Sendable {
    private let (stream, continuation) = AsyncStream<String>.makeStream()
    func started(_ name: String) { continuation.yield(name) }
    func first() async -> String? {
        for await name in stream { return name }
        return nil
    }
}

@Suite("Exactly-once scheduling across instances", .timeLimit(.minutes(10)))
struct SchedulerTests {
    let conninfo: String
    init() async throws {
        conninfo = try await TestCluster.migratedDatabase("sched")
        try await PGConnection.with(conninfo) { connection in
            try await connection.simpleQuery(
                "CREATE TABLE job_effects (scheduler text, scheduled_for timestamptz)")
        }
    }

    // The limit guards against a hang; it also counts the suite's set-up, which at the start of a run waits
    // behind every other suite migrating its database (over a minute once, on a loaded two-core machine).
    @Test(.timeLimit(.minutes(3))) func threeSchedulersRunEachOccurrenceOnceEvenWhenOneDiesMidRun() async throws {
        let day: TimeInterval = 86_400
        let origin = Date(timeIntervalSince1970: 1_790_000_000)
        let clock = ManualJobClock(now: origin)
        let schedule = EverySchedule(origin: origin, step: day)
        let log = SchedulerEventLog()
        let hang = Hang()
        var configuration = Scheduler.Configuration()
        configuration.lease = 60
        // Whoever first runs night 3 hangs there until the test kills it.
        let hangAt = origin.addingTimeInterval(3 * day)

        var pools: [String: PGPool] = [:]
        var tasks: [String: Task<Void, Never>] = [:]
        for name in ["a", "b", "c"] {
            var poolConfiguration = PGPoolConfiguration(conninfo: conninfo)
            poolConfiguration.maxConnections = 3
            let pool = PGPool(configuration: poolConfiguration)
            pools[name] = pool
            let job = ScheduledJob(name: "nightly-compliance", schedule: schedule) { context in
                if context.scheduledFor == hangAt && context.attempt == 1 {
                    hang.started(name)
                    try await Task.sleep(for: .seconds(3_600))
                }
                try await pool.withConnection { connection in
                    try await connection.execute("INSERT INTO job_effects VALUES (\(name), \(context.scheduledFor))")
                }
                return ["returns_evaluated": 1]
            }
            let scheduler = Scheduler(
                jobs: [job], pool: pool, instance: "instance-\(name)", clock: clock, configuration: configuration,
                onEvent: log.record)
            tasks[name] = Task { try? await scheduler.run() }
        }

        // Nights 1 and 2: all three wake; one runs, two find it taken.
        for night in 1...2 {
            await clock.waitForSleepers(3)
            let at = origin.addingTimeInterval(Double(night) * day)
            clock.advance(to: at)
            await log.waitUntil { SchedulerEventLog.about(at, $0).count == 3 }
            #expect(SchedulerEventLog.about(at, log.all).filter(SchedulerEventLog.ran).count == 1)
        }

        // Night 3: the one that runs it is killed mid-run: its database connections go, then its task.
        await clock.waitForSleepers(3)
        clock.advance(to: hangAt)
        let victim = try #require(await hang.first())
        await log.waitUntil { SchedulerEventLog.about(hangAt, $0).count == 2 }  // the other two skipped
        await pools[victim]?.close()
        tasks[victim]?.cancel()
        await tasks[victim]?.value
        tasks[victim] = nil

        // Its lease runs out; at their next look one of the survivors takes the occurrence over.
        await clock.waitForSleepers(2)
        clock.advance(to: hangAt.addingTimeInterval(61))
        await log.waitUntil { SchedulerEventLog.about(hangAt, $0).contains(where: SchedulerEventLog.ran) }

        // Nights 4 and 5 go on with two.
        for night in 4...5 {
            await clock.waitForSleepers(2)
            let at = origin.addingTimeInterval(Double(night) * day)
            clock.advance(to: at)
            await log.waitUntil { SchedulerEventLog.about(at, $0).count == 2 }
        }
        for task in tasks.values { task.cancel() }
        for task in tasks.values { await task.value }

        let check = PGPool(configuration: PGPoolConfiguration(conninfo: conninfo))
        let effects = try await check.withConnection {
            try await $0.query(
                "SELECT scheduled_for, count(*) AS n, min(scheduler) AS who FROM job_effects GROUP BY 1 ORDER BY 1")
        }
        #expect(effects.count == 5)
        #expect(try effects.allSatisfy { try $0.decode(Int.self, column: "n") == 1 }, "each night's work done once")
        let third = try effects.first { try $0.decode(Date.self, column: "scheduled_for") == hangAt }
        #expect(try third?.decode(String.self, column: "who") != victim)
        let runs = try await check.withConnection {
            try await $0.query("SELECT scheduled_for, outcome, attempts FROM job_runs ORDER BY scheduled_for")
        }
        #expect(runs.count == 5)
        #expect(try runs.allSatisfy { try $0.decode(String.self, column: "outcome") == "succeeded" })
        let taken = try runs.first { try $0.decode(Date.self, column: "scheduled_for") == hangAt }
        #expect(try taken?.decode(Int.self, column: "attempts") == 2)
        for pool in pools.values { await pool.close() }
        await check.close()
    }

    @Test(.timeLimit(.minutes(3))) func occurrencesMissedWhileDownRunOnceAtStartUp() async throws {
        let day: TimeInterval = 86_400
        let origin = Date(timeIntervalSince1970: 1_790_000_000)
        let pool = PGPool(configuration: PGPoolConfiguration(conninfo: conninfo))
        // The last run anyone recorded was night 1; the service comes back on night 4 at noon.
        try await pool.withConnection { connection in
            try await connection.execute(
                """
                INSERT INTO job_runs (job, scheduled_for, outcome, attempts, finished_at)
                VALUES ('weekly-summary', \(origin.addingTimeInterval(day)), 'succeeded', 1, \(origin.addingTimeInterval(day)))
                """)
        }
        let clock = ManualJobClock(now: origin.addingTimeInterval(4.5 * day))
        let log = SchedulerEventLog()
        let job = ScheduledJob(name: "weekly-summary", schedule: EverySchedule(origin: origin, step: day)) { context in
            try await pool.withConnection { connection in
                try await connection.execute("INSERT INTO job_effects VALUES ('late', \(context.scheduledFor))")
            }
            return [:]
        }
        let scheduler = Scheduler(jobs: [job], pool: pool, instance: "late", clock: clock, onEvent: log.record)
        let task = Task { try? await scheduler.run() }
        await log.waitUntil { $0.contains(where: SchedulerEventLog.ran) }
        // Then the schedule goes on: night 5.
        await clock.waitForSleepers(1)
        clock.advance(to: origin.addingTimeInterval(5 * day))
        await log.waitUntil { $0.filter(SchedulerEventLog.ran).count == 2 }
        task.cancel()
        await task.value
        let ran = try await pool.withConnection {
            try await $0.query("SELECT scheduled_for FROM job_effects WHERE scheduler = 'late' ORDER BY 1")
        }.map { try $0.decode(Date.self, column: "scheduled_for") }
        #expect(ran == [origin.addingTimeInterval(4 * day), origin.addingTimeInterval(5 * day)])
        await pool.close()
    }
}

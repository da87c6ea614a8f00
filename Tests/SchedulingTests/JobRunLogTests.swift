import CharterStore
import Foundation
import PGClient
import Scheduling
import TestSupport
import Testing

/// The record of job runs as people read it: hand runs beside scheduled ones, newest first, by job.
@Suite("The job-run log", .timeLimit(.minutes(10)))
struct JobRunLogTests {
    @Test func handRunsAreRecordedAndReadBackNewestFirstByJob() async throws {
        let conninfo = try await TestCluster.migratedDatabase("job-run-log")
        let pool = PGPool(configuration: PGPoolConfiguration(conninfo: conninfo))
        let log = JobRunLog(pool: pool)
        let first = Date(timeIntervalSince1970: 1_790_000_000)
        let second = first.addingTimeInterval(3_600)
        let succeeded = try await log.recordHandRun(
            job: "nightly-compliance", triggeredBy: "charterctl:alice", startedAt: first,
            finishedAt: first.addingTimeInterval(2), succeeded: true, counts: ["returns_evaluated": 3], error: nil)
        let failed = try await log.recordHandRun(
            job: "nightly-compliance", triggeredBy: "user:3", startedAt: second,
            finishedAt: second.addingTimeInterval(1), succeeded: false, counts: [:], error: "the database went away")
        try await log.recordHandRun(
            job: "weekly-summary", triggeredBy: "user:3", startedAt: second, finishedAt: second, succeeded: true,
            counts: [:], error: nil)

        let nightly = try await log.recent(job: "nightly-compliance")
        #expect(nightly.map(\.id) == [failed, succeeded])
        #expect(try await log.recent().count == 3)
        #expect(try await log.recent(limit: 1).count == 1)

        let run = try #require(try await log.run(id: succeeded))
        #expect(run.job == "nightly-compliance")
        #expect(run.triggeredBy == "charterctl:alice")
        #expect(run.scheduledFor == first)
        #expect(run.outcome == "succeeded")
        #expect(run.counts == ["returns_evaluated": 3])
        #expect(run.attempts == 1)
        #expect(run.error == nil)
        let failure = try #require(try await log.run(id: failed))
        #expect(failure.outcome == "failed")
        #expect(failure.error == "the database went away")
        #expect(try await log.run(id: failed + 100) == nil)
        await pool.close()
    }
}

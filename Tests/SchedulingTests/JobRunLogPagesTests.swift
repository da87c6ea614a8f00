import CharterStore
import Foundation
import PGClient
import Scheduling
import TestSupport
import Testing

/// The job-run log a page at a time, as the workspace's runs list reads it: by job, newest first, counted.
@Suite("The job-run log in pages", .timeLimit(.minutes(10)))
struct JobRunLogPagesTests {
    @Test func runsArePagedNewestFirstByJobAndCounted() async throws {
        let conninfo = try await TestCluster.migratedDatabase("job-run-pages")
        let pool = PGPool(configuration: PGPoolConfiguration(conninfo: conninfo))
        let log = JobRunLog(pool: pool)
        var ids: [Int64] = []
        for index in 0..<3 {
            ids.append(
                try await log.recordHandRun(
                    job: index == 0 ? "weekly-summary" : "nightly-compliance", triggeredBy: "user:1",
                    startedAt: Date(), finishedAt: Date(), succeeded: true, counts: ["n": index], error: nil))
        }
        #expect(try await log.count() == 3)
        #expect(try await log.count(job: "nightly-compliance") == 2)
        #expect(try await log.page(offset: 0, limit: 10).map(\.id) == ids.reversed())
        #expect(try await log.page(job: "nightly-compliance", offset: 0, limit: 1).map { $0.counts["n"] } == [2])
        #expect(try await log.page(job: "nightly-compliance", offset: 1, limit: 5).map(\.id) == [ids[1]])
        #expect(try await log.jobs() == ["nightly-compliance", "weekly-summary"])
        await pool.close()
    }
}

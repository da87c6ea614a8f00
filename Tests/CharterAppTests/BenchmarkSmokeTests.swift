import Foundation
import TestSupport
import Testing

/// Every benchmark of docs/benchmarks.md, run at a tiny size on the test cluster, so that a benchmark that no longer
/// runs fails the suite rather than the next person who reaches for it. The figures at this size mean
/// nothing; what is checked is that each runs to its end and prints the comparison it exists for.
@Suite("charter-bench smoke runs", .timeLimit(.minutes(10)))
struct BenchmarkSmokeTests {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func bench(_ arguments: [String], database: String) async throws -> Outcome {
        let work = FileManager.default.temporaryDirectory.appending(path: "bench-smoke-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: work) }
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CHARTERD_") }
        environment["CHARTERD_DATABASE_URL"] = try await TestCluster.freshDatabase(database)
        let process = try SpawnedProcess(
            SpawnedProcess.builtExecutable("charter-bench"), arguments + ["--work-directory", work],
            environment: environment)
        let status = try await process.exitStatus(within: .seconds(300))
        return Outcome(status: status, stdout: process.standardOutput, stderr: process.standardError)
    }

    @Test func copyComparesTheClientWithPsql() async throws {
        let run = try await bench(["copy", "--rows", "2000", "--rounds", "1"], database: "bench_copy")
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("ratio (PGClient / psql):"), "\(run.stdout)")
    }

    /// The ingest benchmark reads `charterctl return submit --format json` from the child's standard output;
    /// charterctl's progress lines go to standard error and must not spoil it.
    @Test func ingestComparesReturnSubmitWithPsqlAndReportsPeakMemory() async throws {
        let run = try await bench(["ingest", "--rows", "2000", "--rounds", "1"], database: "bench_ingest")
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("ratio (ingest / psql):"), "\(run.stdout)")
        #expect(run.stdout.contains("peak RSS of charterctl return submit:"), "\(run.stdout)")
    }

    @Test func complianceComparesTheNightlyRunWithTheBareAggregate() async throws {
        let run = try await bench(
            ["compliance", "--employers", "20", "--periods", "2", "--lines", "10", "--rounds", "1"],
            database: "bench_compliance")
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("ratio (nightly run / bare aggregate):"), "\(run.stdout)")
    }

    @Test func outcomesComparesThePeriodsFiguresWithTheBareAggregate() async throws {
        let run = try await bench(
            ["outcomes", "--employers", "30", "--lines", "10", "--rounds", "1"], database: "bench_outcomes")
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("outcomes of 30 employers, 300 lines, 3 sector and 2 tier groups"), "\(run.stdout)")
        #expect(run.stdout.contains("ratio (outcomes / bare aggregate):"), "\(run.stdout)")
    }

    @Test func reportsRendersAndQueuesDigests() async throws {
        let rendered = try await bench(["reports", "--digests", "20", "--rounds", "1"], database: "bench_reports")
        #expect(rendered.status == 0, "\(rendered.stdout)\(rendered.stderr)")
        #expect(rendered.stdout.contains("median: 20 digests in"), "\(rendered.stdout)")
        let queued = try await bench(
            ["reports", "--digests", "20", "--rounds", "1", "--queue"], database: "bench_reports_queue")
        #expect(queued.status == 0, "\(queued.stdout)\(queued.stderr)")
        #expect(queued.stdout.contains("median: 20 digests queued in"), "\(queued.stdout)")
    }

    /// Needs `wrk` (Debian's package, installed by the README's test command).
    @Test func apiComparesTheFlagQueueWithTheTrivialRoute() async throws {
        let run = try await bench(
            [
                "api", "--employers", "10", "--flags", "50", "--duration", "1", "--rounds", "1", "--connections", "4",
                "--threads", "1", "--port", "\(try #require(LoopbackPort.free()))",
            ], database: "bench_api")
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("flag queue / trivial route:"), "\(run.stdout)")
    }

    /// Every /admin list page timed at the demo's size and at a (here tiny) full size, with wrk.
    @Test func workspaceTimesEveryListPageAtBothSizes() async throws {
        let run = try await bench(
            [
                "workspace", "--employers", "30", "--flags", "40", "--duration", "1",
                "--port", "\(try #require(LoopbackPort.free()))", "--demo-employers", DemoTests.employersFile.path,
            ], database: "bench_workspace")
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("slowest page: demo size p50"), "\(run.stdout)")
        #expect(run.stdout.contains("full size p50"), "\(run.stdout)")
    }
}

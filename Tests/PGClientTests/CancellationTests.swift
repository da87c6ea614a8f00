import PGClient
import TestSupport
import Testing

@Suite("Cancellation and timeouts", .timeLimit(.minutes(10)))
struct CancellationTests {
    let conninfo: String
    init() async throws { conninfo = try await TestCluster.freshDatabase("cancel") }

    @Test func cancellingTheTaskCancelsTheStatementLongBeforeItWouldEnd() async throws {
        let connection = try await PGConnection.connect(conninfo)
        let clock = ContinuousClock()
        let pid = connection.backendPID
        let task = Task { try await connection.query("SELECT pg_sleep(30)") }
        // Wait until the server is really running the sleep before cancelling.
        let watcher = try await PGConnection.connect(conninfo)
        while try await watcher.query(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE pid = \(pid) AND state = 'active'"
        ).first?.decode(Int.self, column: "n") != 1 {
            await Task.yield()
        }
        let cancelled = clock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        // Well inside the sleep's 30 s: typically ~10 ms; a CI machine busy building may take a second or two.
        #expect(clock.now - cancelled < .seconds(10))
        #expect(await connection.isIdle)
        #expect(try await connection.query("SELECT 2 AS two").first?.decode(Int.self, column: "two") == 2)
    }

    @Test func aStatementTimeoutCancelsOnlyThatStatement() async throws {
        let connection = try await PGConnection.connect(conninfo)
        let clock = ContinuousClock()
        let started = clock.now
        let error = await #expect(throws: PGError.self) {
            try await connection.query("SELECT pg_sleep(30)", timeout: .milliseconds(200))
        }
        #expect(error?.code == .statementTimeout)
        // Cut off far inside the sleep's 30 s (a busy machine answers the cancel more slowly).
        #expect(clock.now - started < .seconds(10))
        // A fast statement afterwards is not hit by the old timer.
        try await connection.query("SELECT pg_sleep(0.3)", timeout: .seconds(5))
    }
}

import Foundation
import TestSupport
import Testing

/// The tests' child processes: a wait for one that never exits ends, by itself or by the test's time limit,
/// and says which process it was.
@Suite("Waiting for a test's child process", .timeLimit(.minutes(10)))
struct SpawnedProcessTests {
    @Test func aChildThatExitsGivesItsStatusAndOutput() async throws {
        let child = try SpawnedProcess("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"], environment: [:])
        #expect(try await child.exitStatus() == 3)
        #expect(child.standardOutput == "out\n")
        #expect(child.standardError == "err\n")
    }

    @Test func aChildStillRunningAtTheLimitIsKilledAndTheWaitSaysWhich() async throws {
        let child = try SpawnedProcess("/bin/sh", ["-c", "echo started; exec sleep 600"], environment: [:])
        let error = await #expect(throws: SpawnedProcess.StillRunning.self) {
            try await child.exitStatus(within: .milliseconds(300))
        }
        #expect(error?.description.hasPrefix("`/bin/sh -c echo started; exec sleep 600` was still running") == true)
        #expect(error?.output == "started\n")
        #expect(!child.isRunning)
    }

    @Test func cancellingTheWaitKillsTheChild() async throws {
        let child = try SpawnedProcess("/bin/sleep", ["600"], environment: [:])
        let wait = Task { try await child.exitStatus(within: .seconds(600)) }
        wait.cancel()
        await #expect(throws: CancellationError.self) { try await wait.value }
        #expect(!child.isRunning)
    }

    @Test func watchingTheOutputFindsALineWrittenLaterAndGivesUpWhenTheProcessExits() async throws {
        let server = try SpawnedProcess(
            "/bin/sh", ["-c", "sleep 0.3; echo 'port 2525'; exec sleep 600"], environment: [:])
        defer { server.signal(SIGKILL) }
        let port = try await server.watchOutput(within: .seconds(60)) {
            server.standardOutput.firstMatch(of: #/port (\d+)\n/#).map { String($0.1) }
        }
        #expect(port == "2525")

        let silent = try SpawnedProcess("/bin/sh", ["-c", "echo oops >&2; exit 1"], environment: [:])
        let started = ContinuousClock.now
        let nothing = try await silent.watchOutput(within: .seconds(60)) {
            silent.standardOutput.isEmpty ? nil : silent.standardOutput
        }
        #expect(nothing == nil)
        #expect(ContinuousClock.now - started < .seconds(30), "gave up when the process exited, not at the limit")
    }

    @Test func aBlockingWaitIsBoundedToo() throws {
        let child = try SpawnedProcess("/bin/sleep", ["600"], environment: [:])
        #expect(throws: SpawnedProcess.StillRunning.self) { try child.waitBlocking(within: .milliseconds(300)) }
        let quick = try SpawnedProcess("/bin/true", [], environment: [:])
        #expect(try quick.waitBlocking() == 0)
    }
}

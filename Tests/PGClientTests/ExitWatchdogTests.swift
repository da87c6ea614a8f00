import Foundation
import TestSupport
import Testing

@Suite("The test cluster's watchdog", .timeLimit(.minutes(10)))
struct ExitWatchdogTests {
    @Test func whenItsProcessIsGoneTheWatchdogStopsTheServerAndRemovesTheDirectory() async throws {
        // A stand-in postmaster: a process that would run for ten minutes, named in the pid file.
        let directory = FileManager.default.temporaryDirectory.appending(path: "watchdog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory.appending(path: "data"), withIntermediateDirectories: true)
        let server = try SpawnedProcess("/bin/sleep", ["600"], environment: [:])
        try "\(server.pid)\n\(directory.path)/data\n".write(
            to: directory.appending(path: "data/postmaster.pid"), atomically: true, encoding: .utf8)

        let watchdog = try ExitWatchdog.removingCluster(at: directory.path)
        #expect(server.isRunning && watchdog.process.isRunning, "nothing happens while the process lives")
        // What the kernel does when the test process ends, however it ends.
        close(watchdog.trigger)

        #expect(try await watchdog.process.exitStatus() == 0, "\(watchdog.process.standardError)")
        #expect(try await server.exitStatus() == 128 + SIGQUIT, "PostgreSQL's immediate shutdown")
        #expect(!FileManager.default.fileExists(atPath: directory.path))
    }
}

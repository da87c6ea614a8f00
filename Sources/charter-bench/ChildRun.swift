import Foundation

/// A program run to completion, with what it printed and what it cost.
struct ChildRun {
    var status: Int32
    /// What the child wrote to standard output: its result, which a caller may parse.
    var output: String
    /// What the child wrote to standard error: progress lines and reasons, kept apart so they never
    /// corrupt the result (charterctl writes its progress there).
    var errors: String
    var seconds: Double
    /// Peak resident set of the child, in MiB (from wait4's rusage).
    var peakMiB: Double

    /// Runs `executable` with `arguments` and extra environment, capturing stdout and stderr to files of
    /// their own.
    ///
    /// posix_spawn and wait4 rather than Foundation's Process, which on this platform can fail to
    /// reap its child, and which cannot report the child's peak memory. The wait happens on a thread of
    /// its own: blocked in wait4 on the cooperative pool, it would take one of the pool's threads (two on
    /// this machine) from the server under test for the whole run. Not swift-subprocess either: it reaps
    /// the child itself and gives no resource usage, so the peak RSS the benchmarks report (wait4's
    /// `ru_maxrss`) could not be had through it.
    static func run(_ executable: String, _ arguments: [String], environment extra: [String: String] = [:])
        async throws -> ChildRun
    {
        let outputPath = FileManager.default.temporaryDirectory.appending(path: "bench-\(UUID().uuidString)").path
        let errorsPath = outputPath + ".err"
        defer {
            try? FileManager.default.removeItem(atPath: outputPath)
            try? FileManager.default.removeItem(atPath: errorsPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errorsPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var environment = ProcessInfo.processInfo.environment
        environment.merge(extra) { $1 }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        let clock = ContinuousClock()
        let started = clock.now
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw BenchError("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        let (status, usage) = await withCheckedContinuation { continuation in
            let child = pid
            Thread {
                var status: Int32 = 0
                var usage = rusage()
                while wait4(child, &status, 0, &usage) < 0 && errno == EINTR {}
                continuation.resume(returning: (status, usage))
            }.start()
        }
        let seconds = (clock.now - started).seconds
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? ""
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ChildRun(
            status: exit, output: output, errors: errors, seconds: seconds, peakMiB: Double(usage.ru_maxrss) / 1024)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

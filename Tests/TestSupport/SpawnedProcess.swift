public import Foundation
import Synchronization

/// A child process for tests: `posix_spawn`, output to files, and a `waitpid` on a thread of its own.
///
/// Foundation's `Process` sometimes never reaps a child under the test runner (the child stays a
/// zombie and `isRunning` stays true), so tests that start `charterd` or `charterctl` use this.
///
/// Not swift-subprocess (which EmbeddedPostgres uses for initdb and pg_ctl): its `run` keeps the child
/// inside one closure's scope, where a test holds this as a value across many steps (start charterd,
/// call it, signal it, read its log, wait); it cannot wait from a synchronous static initialiser
/// (``waitBlocking(within:)``, for the test certificate); it has no watchdog that kills a child still
/// running after a limit and fails with what it wrote (``exitStatus(within:)``, README's two minutes);
/// it reads output only as a stream or once the child has ended, where ``watchOutput(within:for:)``
/// looks at what a running server has written so far.
public final class SpawnedProcess: Sendable {
    public let pid: pid_t
    /// The program and its arguments, for messages.
    public let commandLine: String
    public let stdoutPath: String
    public let stderrPath: String

    private struct State {
        var status: Int32?
        var waiters: [@Sendable (Int32) -> Void] = []
    }
    /// A class around the mutex, so the waiter thread can share it.
    private final class Shared: Sendable {
        let state = Mutex(State())
    }
    private let shared = Shared()

    /// Starts `executable` with `arguments` and exactly `environment`; standard input reads the file
    /// `standardInput` (empty, `/dev/null`, unless given), or the open descriptor
    /// `standardInputDescriptor`. With `newSession` the child leads a session of its own, out of reach
    /// of the signals a terminal sends the test run.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String], standardInput: String? = nil,
        standardInputDescriptor: Int32? = nil, newSession: Bool = false
    ) throws {
        let base = FileManager.default.temporaryDirectory.appending(path: "spawn-\(UUID().uuidString)").path
        stdoutPath = base + ".out"
        stderrPath = base + ".err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let standardInputDescriptor {
            // dup2 clears close-on-exec on the copy.
            posix_spawn_file_actions_adddup2(&actions, standardInputDescriptor, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, standardInput ?? "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with every signal's default action and none blocked, whatever the test
        // runner ignores or blocks (an ignored SIGQUIT would otherwise be inherited through exec).
        var everySignal = sigset_t()
        sigfillset(&everySignal)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)
        var noSignal = sigset_t()
        sigemptyset(&noSignal)
        posix_spawnattr_setsigmask(&attributes, &noSignal)
        posix_spawnattr_setflags(
            &attributes,
            Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK) | (newSession ? Self.spawnInNewSession : 0))
        let result = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSFilePathErrorKey: executable])
        }
        pid = child
        commandLine = ([executable] + arguments).joined(separator: " ")
        let spawned = child
        let waiter = Thread { [shared] in
            var raw: Int32 = 0
            while waitpid(spawned, &raw, 0) == -1 && errno == EINTR {}
            let status = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
            let waiters = shared.state.withLock { state in
                state.status = status
                defer { state.waiters.removeAll() }
                return state.waiters
            }
            waiters.forEach { $0(status) }
        }
        waiter.start()
    }

    deinit {
        unlink(stdoutPath)
        unlink(stderrPath)
    }

    public var isRunning: Bool { shared.state.withLock { $0.status == nil } }
    public var standardOutput: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    public var standardError: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    public func signal(_ signal: Int32 = SIGTERM) { kill(pid, signal) }

    /// Waits for the process to exit and returns its status (128 + n for signal n).
    ///
    /// The wait is bounded: a process still running after `limit` is killed (SIGKILL) and the wait throws
    /// ``StillRunning``, with what it wrote, so a child that hangs fails its own test instead of hanging the
    /// whole run. Cancelling the waiting task (a test's time limit) kills the process the same way.
    ///
    /// 240 s by default, as long as a charterd start may take (`DaemonProcess.startLimit`): on CI's slower two cores, in
    /// the run's first minutes, `charterctl migrate` once ran past 120 s while every suite set itself up.
    public func exitStatus(within limit: Duration = .seconds(240)) async throws -> Int32 {
        let killed = Mutex(false)
        let pid = self.pid
        let timer = Task {
            try await Task.sleep(for: limit)
            if isRunning {
                killed.withLock { $0 = true }
                kill(pid, SIGKILL)
            }
        }
        defer { timer.cancel() }
        let status = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
                onExit { continuation.resume(returning: $0) }
            }
        } onCancel: {
            kill(pid, SIGKILL)
        }
        if killed.withLock({ $0 }) {
            throw StillRunning(commandLine: commandLine, limit: limit, output: standardOutput + standardError)
        }
        try Task.checkCancellation()
        return status
    }

    /// Waits until `find` finds what it looks for in what the process has written (it reads
    /// ``standardOutput`` or ``standardError`` itself) and returns it: a server's "listening" line, say,
    /// instead of a sleep of a guessed length. Nil when the process exits first or `limit` passes.
    public func watchOutput<Found>(within limit: Duration, for find: () -> Found?) async throws -> Found? {
        let deadline = ContinuousClock.now + limit
        while true {
            // Read before the output, so what a process wrote just before it exited is still looked at.
            let running = isRunning
            if let found = find() { return found }
            guard running, ContinuousClock.now < deadline else { return nil }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Blocks the calling thread until the process exits, for at most `limit` (then kills it and throws
    /// ``StillRunning``): only for set-up that cannot await, such as a static's initialiser.
    public func waitBlocking(within limit: Duration = .seconds(60)) throws -> Int32 {
        let exited = DispatchSemaphore(value: 0)
        let status = Mutex<Int32?>(nil)
        onExit { code in
            status.withLock { $0 = code }
            exited.signal()
        }
        let (seconds, attoseconds) = limit.components
        let deadline =
            DispatchTime.now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
        if exited.wait(timeout: deadline) == .timedOut {
            kill(pid, SIGKILL)
            throw StillRunning(commandLine: commandLine, limit: limit, output: standardOutput + standardError)
        }
        return status.withLock { $0 } ?? 0
    }

    /// Calls `body` with the exit status once the process has exited: now, if it has.
    private func onExit(_ body: @escaping @Sendable (Int32) -> Void) {
        let status = shared.state.withLock { state -> Int32? in
            if let status = state.status { return status }
            state.waiters.append(body)
            return nil
        }
        if let status { body(status) }
    }

    /// A child process that had not exited when its wait ran out; it has been killed.
    public struct StillRunning: Error, CustomStringConvertible {
        public var commandLine: String
        public var limit: Duration
        /// What it wrote to standard output and standard error.
        public var output: String
        public var description: String {
            "`\(commandLine)` was still running after \(limit) and has been killed; it wrote:\n\(output)"
        }
    }

    /// glibc's `POSIX_SPAWN_SETSID` (since 2.26), which Swift's Glibc module does not export.
    private static let spawnInNewSession: Int16 = 0x80

    /// The binary `name` built beside the test bundle (`.build/debug/NAME`).
    public static func builtExecutable(_ name: String) -> String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appending(path: name).path
    }
}

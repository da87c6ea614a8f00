import EmbeddedPostgres
import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Runs the real `charterd` binary on an embedded cluster, as the README's first command does.
@Suite("charterd on its embedded database", .timeLimit(.minutes(10)))
struct DaemonLifecycleTests {
    @Test func startsAnswersStopsCleanlyAndReusesTheCluster() async throws {
        let state = URL(fileURLWithPath: "/tmp/cwd-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }

        let first = try DaemonProcess(stateDirectory: state)
        let url = try await first.listeningURL()
        #expect(try await status(of: url.appending(path: "healthz")) == 200)
        #expect(try await status(of: url.appending(path: "readyz")) == 200)
        let postmaster = try #require(first.postmasterPID())

        let clock = ContinuousClock()
        let stopping = clock.now
        let exitStatus = try await first.terminate()
        #expect(exitStatus == 0)
        // The postmaster removes its pid file a moment before it has finished exiting.
        while isAlive(postmaster), clock.now - stopping < .seconds(10) { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!isAlive(postmaster), "the embedded PostgreSQL must stop with charterd")
        #expect(clock.now - stopping < .seconds(10))
        #expect(first.log.contains("creating embedded PostgreSQL cluster"))

        // A second start reuses the cluster instead of creating it again.
        let second = try DaemonProcess(stateDirectory: state)
        let again = try await second.listeningURL()
        #expect(try await status(of: again.appending(path: "readyz")) == 200)
        #expect(try await second.terminate() == 0)
        #expect(!second.log.contains("creating embedded PostgreSQL cluster"))
    }

    @Test func aSecondDaemonThatCannotStartLeavesTheFirstOnesDatabaseAlone() async throws {
        let state = URL(fileURLWithPath: "/tmp/cwd-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }
        let first = try DaemonProcess(stateDirectory: state)
        let url = try await first.listeningURL()

        // Same state directory, same port: it adopts the running cluster, then fails to bind.
        let second = try DaemonProcess(stateDirectory: state, port: url.port!)
        #expect(try await second.exitStatus() == 1)
        #expect(second.log.contains("leaving the embedded PostgreSQL running"))
        #expect(try await status(of: url.appending(path: "readyz")) == 200)
        #expect(try await first.terminate() == 0)
        #expect(first.postmasterPID() == nil)
    }

    @Test func aStalePidFileFromACrashIsCleared() async throws {
        let state = URL(fileURLWithPath: "/tmp/cwd-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }
        let first = try DaemonProcess(stateDirectory: state)
        _ = try await first.listeningURL()
        #expect(try await first.terminate() == 0)

        // A crash leaves postmaster.pid behind, naming a process that is not a postmaster.
        let data = first.clusterDirectory.appending(path: "data")
        try "\(getpid())\n\(data.path)\n".write(
            to: data.appending(path: "postmaster.pid"), atomically: true, encoding: .utf8)
        let second = try DaemonProcess(stateDirectory: state)
        let url = try await second.listeningURL()
        #expect(try await status(of: url.appending(path: "healthz")) == 200)
        #expect(try await second.terminate() == 0)
        #expect(second.log.contains("stale postmaster.pid"))
    }
}

/// Whether `pid` is a live process (a zombie waiting to be reaped has exited).
func isAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return false }
    return !stat[close...].hasPrefix(") Z") && !stat[close...].hasPrefix(") X")
}

func status(of url: URL) async throws -> Int {
    let (_, response) = try await URLSession.shared.data(from: url)
    return (response as? HTTPURLResponse)?.statusCode ?? 0
}

/// A charterd child process with its output captured, on any free port.
final class DaemonProcess: Sendable {
    private let process: SpawnedProcess
    private let stateDirectory: URL

    /// `extra` adds variables (NOTIFY_SOCKET, say); systemd's own never leak in from the test's environment.
    /// `launcher` is a program and arguments that start charterd (its path is appended) in their place.
    init(
        stateDirectory: URL, port: Int = 0, environment extra: [String: String] = [:], launcher: [String] = []
    ) throws {
        self.stateDirectory = stateDirectory
        let systemd: Set<String> = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"]
        var environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("CHARTERD_") && !systemd.contains($0.key)
        }
        environment["CHARTERD_STATE_DIR"] = stateDirectory.path
        environment["CHARTERD_HTTP_PORT"] = "\(port)"
        environment.merge(extra) { $1 }
        let charterd = SpawnedProcess.builtExecutable("charterd")
        process = try SpawnedProcess(
            launcher.first ?? charterd, launcher.isEmpty ? [] : launcher.dropFirst() + [charterd],
            environment: environment)
    }

    var log: String { process.standardOutput + process.standardError }
    var isRunning: Bool { process.isRunning }
    var pid: pid_t { process.pid }

    func signal(_ signal: Int32) { process.signal(signal) }

    /// How long a start may take: charterd starts in about a second alone, but in 34 s when it migrates
    /// while every suite starts at once on a loaded two-core machine, and over 60 s on a slower CI one.
    static let startLimit = Duration.seconds(240)

    /// Waits for the "listening" log line and returns its URL (bounded: `startLimit`).
    func listeningURL() async throws -> URL { try await Self.listeningURL(of: process) }

    /// The URL from the "listening" log line of a charterd started some other way (bounded: `startLimit`).
    static func listeningURL(of charterd: SpawnedProcess) async throws -> URL {
        let log = { charterd.standardOutput + charterd.standardError }
        let url = try await charterd.watchOutput(within: startLimit) {
            log().firstMatch(of: #/url=(http://[0-9.]+:[0-9]+)/#).map { String($0.1) }
        }
        guard let url, let parsed = URL(string: url) else {
            throw DaemonFailed(exited: !charterd.isRunning, error: charterd.standardError, log: log())
        }
        return parsed
    }

    /// The pid its cluster's `postmaster.pid` names, wherever the cluster lives (see `clusterDirectory`).
    func postmasterPID() -> Int32? {
        let text = try? String(
            contentsOf: clusterDirectory.appending(path: "data/postmaster.pid"), encoding: .utf8)
        return text?.split(separator: "\n").first.flatMap { Int32($0) }
    }

    /// Where its embedded cluster's `data/` and `run/` are: in the state directory, or, as root when
    /// the postgres account cannot reach it, in that account's own folder.
    var clusterDirectory: URL {
        EmbeddedPostgres(directory: stateDirectory.appending(path: "postgres")).clusterDirectory
    }

    /// Sends SIGTERM and waits for the exit status; a daemon still running a minute later is killed and
    /// the wait throws, with its log.
    func terminate() async throws -> Int32 {
        process.signal(SIGTERM)
        return try await process.exitStatus(within: .seconds(60))
    }

    /// Waits for the daemon to exit on its own (bounded as `SpawnedProcess.exitStatus` is).
    func exitStatus() async throws -> Int32 { try await process.exitStatus() }
}

/// Its first line says whether charterd exited or was still starting, and its last words, so a run's
/// summary of recorded issues (README's test command) tells which without the full log.
struct DaemonFailed: Error, CustomStringConvertible {
    var exited: Bool
    var error: String
    var log: String

    var description: String {
        let lines = { (text: String) in text.split(separator: "\n").suffix(2).joined(separator: " | ") }
        let last = lines(error).isEmpty ? lines(log) : lines(error)
        let what =
            exited
            ? "charterd exited before listening" : "charterd did not start listening within \(DaemonProcess.startLimit)"
        return "\(what); last words: \(last)\n\(log)"
    }
}

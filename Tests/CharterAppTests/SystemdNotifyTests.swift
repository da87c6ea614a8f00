import CharterApp
import Foundation
import TestSupport
import Testing

/// charterd speaks systemd's sd_notify protocol to a socket the test binds, as systemd would.
@Suite("systemd notifications", .timeLimit(.minutes(10)))
struct SystemdNotifyTests {
    @Test(.timeLimit(.minutes(3)))
    func charterdIsReadyWhenServingSendsWatchdogAndSaysWhenStopping() async throws {
        let directory = URL(fileURLWithPath: "/tmp/cwn-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = try NotifySocketListener(path: directory.appending(path: "notify").path)
        let daemon = try DaemonProcess(
            stateDirectory: directory.appending(path: "state"),
            environment: ["NOTIFY_SOCKET": socket.notifySocket, "WATCHDOG_USEC": "200000"])
        // However charterd ends, the socket stops listening then, so no wait below outlives it.
        let exited = Task {
            defer { socket.finish() }
            return try await daemon.exitStatus()
        }
        var messages = socket.messages.makeAsyncIterator()

        guard let ready = await messages.next(setting: "READY") else {
            Issue.record("charterd never sent READY=1:\n\(daemon.log)")
            return
        }
        #expect(ready["MAINPID"] == "\(daemon.pid)")
        let statusLine = try #require(ready["STATUS"])
        #expect(statusLine.hasPrefix("serving http://127.0.0.1:"))
        // Ready means listening and migrated: both answer at once.
        let url = try #require(URL(string: String(statusLine.dropFirst("serving ".count))))
        #expect(try await status(of: url.appending(path: "healthz")) == 200)
        #expect(try await status(of: url.appending(path: "readyz")) == 200)

        #expect(await messages.next(setting: "WATCHDOG") != nil, "no WATCHDOG=1 after READY=1:\n\(daemon.log)")

        daemon.signal(SIGTERM)
        #expect(await messages.next(setting: "STOPPING") != nil, "no STOPPING=1 after SIGTERM:\n\(daemon.log)")
        #expect(try await exited.value == 0, "\(daemon.log)")
    }

    @Test func withoutNotifySocketNothingIsSent() throws {
        let notifier = try SystemdNotifier(environment: ["WATCHDOG_USEC": "200000"])
        #expect(!notifier.isEnabled)
        #expect(notifier.watchdogInterval == nil)
        try notifier.ready(status: "serving")
    }

    @Test func anAbstractSocketNameReceivesTheDatagram() async throws {
        let socket = try NotifySocketListener(path: nil)
        #expect(socket.notifySocket.hasPrefix("@"))
        let notifier = try SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.notifySocket])
        #expect(notifier.address == .abstract(String(socket.notifySocket.dropFirst())))
        try notifier.ready(status: "serving http://127.0.0.1:8080")
        var messages = socket.messages.makeAsyncIterator()
        let message = await messages.next()
        #expect(
            message == ["READY": "1", "STATUS": "serving http://127.0.0.1:8080", "MAINPID": "\(getpid())"])
        socket.finish()
    }

    @Test func theWatchdogIntervalIsHalfOfWatchdogUsecForOurPidOnly() throws {
        let socket = ["NOTIFY_SOCKET": "/run/systemd/notify"]
        let ours = try SystemdNotifier(
            environment: socket.merging(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4711"]) { $1 }, pid: 4711)
        #expect(ours.watchdogInterval == .seconds(15))
        let unnamed = try SystemdNotifier(environment: socket.merging(["WATCHDOG_USEC": "200000"]) { $1 }, pid: 1)
        #expect(unnamed.watchdogInterval == .milliseconds(100))
        let another = try SystemdNotifier(
            environment: socket.merging(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4712"]) { $1 }, pid: 4711)
        #expect(another.watchdogInterval == nil)
        let unwatched = try SystemdNotifier(environment: socket, pid: 4711)
        #expect(unwatched.watchdogInterval == nil)
    }

    @Test func aNotifySocketThatIsNoUnixAddressIsRefused() {
        #expect(throws: SystemdNotifierError.self) {
            try SystemdNotifier(environment: ["NOTIFY_SOCKET": "vsock:2:1234"])
        }
    }
}

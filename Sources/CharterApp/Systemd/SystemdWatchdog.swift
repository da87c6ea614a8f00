import Logging
import ServiceLifecycle

/// The service that keeps systemd informed while charterd runs: `WATCHDOG=1` every half
/// `WATCHDOG_USEC` (when systemd watches us), and `STOPPING=1` as soon as graceful shutdown begins.
///
/// charterd lists it last in its service group, so on SIGTERM it is the first service told to stop:
/// systemd hears `STOPPING=1` before the HTTP server starts draining, not after.
struct SystemdWatchdog: Service {
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async throws {
        if let interval = notifier.watchdogInterval {
            // Ends on graceful shutdown or cancellation: the sleep throws, and so does the closure.
            try? await cancelWhenGracefulShutdown {
                while true {
                    notify("WATCHDOG=1") { try notifier.watchdog() }
                    try await Task.sleep(for: interval)
                }
            }
        } else {
            try? await gracefulShutdown()
        }
        notify("STOPPING=1") { try notifier.stopping() }
    }

    /// A failed notification is logged, never fatal: systemd then acts on its own timeouts.
    private func notify(_ what: String, _ send: () throws -> Void) {
        do {
            try send()
        } catch {
            logger.warning("cannot notify systemd", metadata: ["message": "\(what)", "error": "\(error)"])
        }
    }
}

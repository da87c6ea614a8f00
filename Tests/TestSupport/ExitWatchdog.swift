import Foundation

/// A shell script that runs once this process is gone, however it ended: a normal exit, a crash, a
/// failed `#require` that aborts, or SIGKILL — the cases `atexit` never sees.
///
/// The script's standard input is a socket whose only other end is held by this process
/// (close-on-exec, so no child inherits it): its first `read` returns at end of file, which comes
/// when the kernel closes that end as the process ends. The script runs in a session of its own and
/// ignores the signals a Ctrl-C or a closed terminal sends, so it outlives the run it cleans up after.
public struct ExitWatchdog: Sendable {
    public let process: SpawnedProcess
    /// This process's end of the script's standard input: closing it runs the script now (as the
    /// watchdog's own test does).
    public let trigger: Int32

    /// Starts `/bin/sh -c script` with `arguments` as `$1`, `$2`, …
    public init(script: String, arguments: [String]) throws {
        // A socket pair rather than a pipe: it can be made close-on-exec in the call that creates it
        // (Swift sees no `pipe2`), so a process another thread spawns meanwhile cannot inherit it.
        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        defer { close(ends[0]) }
        do {
            process = try SpawnedProcess(
                "/bin/sh", ["-c", "trap '' INT TERM HUP QUIT\n" + script, "watchdog"] + arguments,
                environment: ["PATH": "/usr/bin:/bin"], standardInputDescriptor: ends[0], newSession: true)
        } catch {
            close(ends[1])
            throw error
        }
        trigger = ends[1]
    }

    /// Stops the PostgreSQL cluster under `directory` — SIGQUIT, PostgreSQL's immediate shutdown, to
    /// the postmaster `data/postmaster.pid` names — waits until it has exited, and removes the directory.
    public static func removingCluster(at directory: String) throws -> ExitWatchdog {
        try ExitWatchdog(
            script: """
                read -r _
                if pid=$(head -n 1 "$1/data/postmaster.pid" 2>/dev/null) && kill -QUIT "$pid" 2>/dev/null; then
                    tail --pid="$pid" -s 0.1 -f /dev/null
                fi
                rm -rf "$1"
                """,
            arguments: [directory])
    }
}

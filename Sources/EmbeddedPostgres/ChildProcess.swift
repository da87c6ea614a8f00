import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a short-lived program and collects its exit status and output.
///
/// `posix_spawn` plus a blocking `waitpid` on a thread of its own: the wait never occupies the
/// cooperative pool, and output goes to a temporary file, so a chatty child cannot fill a pipe
/// and hang, and a daemon it leaves behind (pg_ctl's postmaster) holds no pipe of ours open.
enum ChildProcess {
    static func run(_ argv: [String], environment: [String: String]) async throws -> (status: Int32, output: String) {
        let outputPath = FileManager.default.temporaryDirectory
            .appending(path: "charterd-child-\(UUID().uuidString).log").path
        defer { unlink(outputPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Start in / so the server account never trips over a working directory it cannot read.
        let argv = ["/bin/sh", "-c", "cd / && exec \"$@\"", "sh"] + argv
        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, cEnvironment)
        guard spawned == 0 else {
            throw EmbeddedPostgresError(
                .commandFailed, "could not start \(argv[4]): \(String(cString: strerror(spawned)))")
        }
        let child = pid
        let status: Int32 = await withCheckedContinuation { continuation in
            let waiter = Thread {
                var raw: Int32 = 0
                while waitpid(child, &raw, 0) == -1 && errno == EINTR {}
                let exited = raw & 0x7f == 0
                continuation.resume(returning: exited ? (raw >> 8) & 0xff : 128 + (raw & 0x7f))
            }
            waiter.name = "wait-\(child)"
            waiter.start()
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return (status, output)
    }
}

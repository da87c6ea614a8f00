import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The account the server programs run as: ourselves, or `postgres` when we are root.
struct ServerAccount: Sendable {
    struct Owner: Sendable {
        var name: String
        var uid: uid_t
        var gid: gid_t
        /// The account's home directory (`/var/lib/postgresql` on Debian): clusters it cannot reach
        /// in their state directory live under it instead.
        var home: String
        /// Its primary and supplementary groups, for deciding which directories it may pass.
        var groups: [gid_t]

        var identity: PathReach.Identity { PathReach.Identity(uid: uid, gids: groups) }

        /// The first directory on the way to `path` this account may not pass, nil when it reaches
        /// `path`; symbolic links are resolved first, as the kernel would.
        func firstClosedDirectory(to path: String) -> String? {
            guard let resolved = realpath(path, nil) else { return path }
            defer { free(resolved) }
            return PathReach.firstClosedDirectory(
                to: String(cString: resolved), for: identity, lookUp: PathReach.onDisk)
        }
    }

    /// Set when we are root and must switch to an unprivileged account.
    var owner: Owner?

    static func current() throws -> ServerAccount {
        guard geteuid() == 0 else { return ServerAccount(owner: nil) }
        guard let postgres = postgres() else {
            throw EmbeddedPostgresError(
                .noServerAccount,
                "PostgreSQL refuses to run as root and there is no postgres account to run it as:"
                    + " install Debian's postgresql package, or run charterd as an unprivileged user")
        }
        return ServerAccount(owner: postgres)
    }

    /// The `postgres` account Debian's package creates, if there is one.
    static func postgres() -> Owner? {
        // getpwnam_r, not getpwnam: `placement` may look the account up from several threads at once.
        var buffer = [CChar](repeating: 0, count: 4096)
        let looked: (uid: uid_t, gid: gid_t, home: String)? = buffer.withUnsafeMutableBufferPointer { buffer in
            var entry = passwd()
            var found: UnsafeMutablePointer<passwd>?
            guard let base = buffer.baseAddress, getpwnam_r("postgres", &entry, base, buffer.count, &found) == 0,
                found != nil
            else { return nil }
            return (entry.pw_uid, entry.pw_gid, String(cString: entry.pw_dir))
        }
        guard let (uid, gid, home) = looked else { return nil }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist("postgres", gid, &groups, &count) == -1 {
            groups = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist("postgres", gid, &groups, &count)
        }
        return Owner(
            name: "postgres", uid: uid, gid: gid, home: home, groups: Array(groups.prefix(Int(max(count, 0)))))
    }

    /// Runs a server program (as the server account) and waits; a failure carries its output.
    func run(_ program: URL, _ arguments: [String], describing what: String, logFile: URL?) async throws {
        var argv: [String]
        if let owner {
            // setpriv (util-linux) drops to the account without a login shell or PAM session.
            argv = [
                "/usr/bin/setpriv", "--reuid=\(owner.uid)", "--regid=\(owner.gid)", "--init-groups", "--", program.path,
            ]
        } else {
            argv = [program.path]
        }
        argv += arguments
        // Hand the server a clean locale, no inherited libpq settings, and none of systemd's notify
        // variables: Debian's postgres speaks sd_notify itself, and its READY=1 is not charterd's.
        let systemdVariables: Set<String> = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"]
        var environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("PG") && !systemdVariables.contains($0.key)
        }
        environment["LC_ALL"] = "C.UTF-8"
        let (status, output) = try await ChildProcess.run(argv, environment: environment)
        guard status == 0 else {
            var message = "\(what) failed (exit \(status)): \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
            if let logFile, let log = try? String(contentsOf: logFile, encoding: .utf8) {
                message +=
                    "\nlast lines of \(logFile.path):\n" + log.split(separator: "\n").suffix(10).joined(separator: "\n")
            }
            throw EmbeddedPostgresError(.commandFailed, message)
        }
    }
}

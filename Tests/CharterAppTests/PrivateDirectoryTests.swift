import CharterApp
import EmbeddedPostgres
import Foundation
import TestSupport
import Testing

/// The README's first command from a checkout under a private (0700) directory — root's home on a
/// fresh Debian — where the postgres account that runs the server as root cannot enter. As root the
/// cluster must live in a folder of postgres's own and everything work as in an open directory; as
/// anyone else it lives in the state directory as always. Nobody's permissions are loosened.
@Suite("The first command from a private directory", .timeLimit(.minutes(10)))
struct PrivateDirectoryTests {
    @Test func theDemoSeedsAndCharterdServesAndStopsFromUnderAPrivateDirectory() async throws {
        try await withPrivateStateDirectory { privateDirectory, state in
            var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CHARTERD_") }
            environment["CHARTERD_STATE_DIR"] = state.path
            let seed = try SpawnedProcess(
                SpawnedProcess.builtExecutable("charterctl"),
                ["demo", "--employers", DemoTests.employersFile.path, "--format", "json"], environment: environment)
            let seedStatus = try await seed.exitStatus()
            try #require(seedStatus == 0, Comment(rawValue: seed.standardOutput + seed.standardError))
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            let seeded = try decoder.decode(CharterDemo.Seeded.self, from: Data(seed.standardOutput.utf8))
            #expect(seeded.employers == 14)

            let cluster = EmbeddedPostgres(directory: state.appending(path: "postgres"))
            try expectPlacement(of: cluster, privateDirectory: privateDirectory)
            #expect(!cluster.isRunning, "charterctl stops the server it started")

            let daemon = try DaemonProcess(stateDirectory: state)
            let url = try await daemon.listeningURL()
            #expect(try await status(of: url.appending(path: "readyz")) == 200)
            #expect(!daemon.log.contains("creating embedded PostgreSQL cluster"), "charterd reuses the demo's cluster")
            let postmaster = try #require(daemon.postmasterPID())
            #expect(try await daemon.terminate() == 0, Comment(rawValue: daemon.log))
            try await expectNothingRunning(postmaster: postmaster, cluster: cluster)
            #expect(try permissions(of: privateDirectory) == 0o700, "nothing loosened the private directory")
        }
    }

    @Test func aServerLeftByACrashIsAdoptedAndAStalePidFileClearedFromUnderAPrivateDirectory() async throws {
        try await withPrivateStateDirectory { privateDirectory, state in
            let crashed = try DaemonProcess(stateDirectory: state)
            _ = try await crashed.listeningURL()
            let cluster = EmbeddedPostgres(directory: state.appending(path: "postgres"))
            try expectPlacement(of: cluster, privateDirectory: privateDirectory)
            let postmaster = try #require(crashed.postmasterPID())
            crashed.signal(SIGKILL)
            #expect(try await crashed.exitStatus() == 128 + SIGKILL)
            #expect(isAlive(postmaster), "a crashed charterd leaves its server running")

            let adopting = try DaemonProcess(stateDirectory: state)
            let url = try await adopting.listeningURL()
            #expect(try await status(of: url.appending(path: "readyz")) == 200)
            #expect(adopting.log.contains("using the embedded PostgreSQL already running"))
            #expect(try await adopting.terminate() == 0, Comment(rawValue: adopting.log))
            try await expectNothingRunning(postmaster: postmaster, cluster: cluster)

            // A crash of the machine leaves postmaster.pid behind, naming a process that is not a postmaster.
            let pidFile = cluster.clusterDirectory.appending(path: "data/postmaster.pid")
            try "\(getpid())\n\(cluster.clusterDirectory.path)/data\n".write(
                to: pidFile, atomically: true, encoding: .utf8)
            let restarted = try DaemonProcess(stateDirectory: state)
            let again = try await restarted.listeningURL()
            #expect(try await status(of: again.appending(path: "readyz")) == 200)
            #expect(restarted.log.contains("stale postmaster.pid"))
            let second = try #require(restarted.postmasterPID())
            #expect(try await restarted.terminate() == 0, Comment(rawValue: restarted.log))
            try await expectNothingRunning(postmaster: second, cluster: cluster)
        }
    }

    /// As root: the cluster lives in a 0700 folder of the postgres account's, named by the state
    /// directory's `location` file. As anyone else: in the state directory, as always.
    func expectPlacement(of cluster: EmbeddedPostgres, privateDirectory: URL) throws {
        let home = cluster.clusterDirectory
        if geteuid() == 0 {
            let postgres = try #require(getpwnam("postgres"), "Debian's postgresql package makes the postgres account")
            let accountHome = String(cString: postgres.pointee.pw_dir)
            #expect(home.deletingLastPathComponent().path == accountHome + "/charterwatch")
            #expect(!home.path.hasPrefix(privateDirectory.path))
            for directory in [home, home.deletingLastPathComponent(), home.appending(path: "run")] {
                let attributes = try FileManager.default.attributesOfItem(atPath: directory.path)
                #expect(attributes[.type] as? FileAttributeType == .typeDirectory)
                #expect(
                    (attributes[.ownerAccountID] as? NSNumber)?.uint32Value == postgres.pointee.pw_uid,
                    "\(directory.path) belongs to postgres")
                #expect(try permissions(of: directory) == 0o700, "only postgres (and root) may pass \(directory.path)")
            }
            let record = try String(contentsOf: cluster.directory.appending(path: "location"), encoding: .utf8)
            #expect(record == home.path + "\n")
        } else {
            #expect(home == cluster.directory)
            #expect(!FileManager.default.fileExists(atPath: cluster.directory.appending(path: "location").path))
            #expect(try permissions(of: home) == 0o700)
        }
        #expect(FileManager.default.fileExists(atPath: home.appending(path: "data/PG_VERSION").path))
    }

    /// The postmaster has exited and no process of the cluster is left (bounded: 10 s, as
    /// DaemonLifecycleTests allows; the pid file goes a moment before the process does).
    func expectNothingRunning(postmaster: Int32, cluster: EmbeddedPostgres) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let dataDirectory = cluster.clusterDirectory.appending(path: "data").path
        while isAlive(postmaster) || !processes(naming: dataDirectory).isEmpty, clock.now - start < .seconds(10) {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(!isAlive(postmaster), "the embedded PostgreSQL must stop with charterd")
        #expect(processes(naming: dataDirectory).isEmpty, "no process of the cluster is left")
        #expect(!cluster.isRunning)
        #expect(!FileManager.default.fileExists(atPath: dataDirectory + "/postmaster.pid"))
    }

    /// Live processes whose command line names `path` (a postmaster's `-D` directory).
    func processes(naming path: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return arguments.contains(path) && isAlive(pid)
        }
    }

    func permissions(of url: URL) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int)
    }

    /// Runs `body` with a fresh 0700 directory and a state directory inside it, then stops any server
    /// the test left and removes both, and the cluster's folder wherever it lives.
    func withPrivateStateDirectory(_ body: (_ privateDirectory: URL, _ state: URL) async throws -> Void) async throws {
        let privateDirectory = URL(fileURLWithPath: "/tmp/cw-private-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: privateDirectory, withIntermediateDirectories: false)
        try #require(chmod(privateDirectory.path, 0o700) == 0)
        let state = privateDirectory.appending(path: "checkout/.charterd")
        let cluster = EmbeddedPostgres(directory: state.appending(path: "postgres"))
        let result: Result<Void, any Error>
        do {
            try await body(privateDirectory, state)
            result = .success(())
        } catch {
            result = .failure(error)
        }
        // Whatever failed, leave no server and no folder behind: SIGQUIT is PostgreSQL's immediate stop.
        let home = cluster.clusterDirectory
        if let text = try? String(contentsOf: home.appending(path: "data/postmaster.pid"), encoding: .utf8),
            let pid = text.split(separator: "\n").first.flatMap({ Int32($0) }), isAlive(pid)
        {
            kill(pid, SIGQUIT)
            let clock = ContinuousClock()
            let start = clock.now
            while isAlive(pid), clock.now - start < .seconds(10) { try? await Task.sleep(for: .milliseconds(20)) }
        }
        if home != cluster.directory { try? FileManager.default.removeItem(at: home) }
        try? FileManager.default.removeItem(at: privateDirectory)
        try result.get()
    }
}

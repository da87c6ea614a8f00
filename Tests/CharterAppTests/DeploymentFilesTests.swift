import CharterApp
import Foundation
import TestSupport
import Testing

/// The operations files under `systemd/` and `deploy/` are checked like code.
@Suite("systemd unit and deployment examples", .timeLimit(.minutes(10)))
struct DeploymentFilesTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `systemd-analyze verify` prints a line for every unknown key, bad value or missing binary, even when
    /// it exits 0; the unit passes only when it prints nothing at all.
    @Test func theUnitVerifiesCleanly() async throws {
        let unit = try String(
            contentsOf: Self.repository.appending(path: "systemd/charterd.service"), encoding: .utf8)
        #expect(unit.contains("\nExecStart=/usr/local/bin/charterd\n"))
        // The installed path does not exist here; the binary this test run built does.
        let copy = unit.replacingOccurrences(
            of: "\nExecStart=/usr/local/bin/charterd\n",
            with: "\nExecStart=\(SpawnedProcess.builtExecutable("charterd"))\n")
        let directory = FileManager.default.temporaryDirectory.appending(path: "unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appending(path: "charterd.service").path
        try copy.write(toFile: path, atomically: true, encoding: .utf8)

        let verify = try SpawnedProcess(
            "/usr/bin/systemd-analyze", ["verify", path], environment: ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"])
        let status = try await verify.exitStatus()
        let output = verify.standardOutput + verify.standardError
        #expect(status == 0, "\(output)")
        #expect(output.isEmpty, "systemd-analyze verify:\n\(output)")

        // The settings the brief of this unit promises are there.
        for line in [
            "Type=notify", "NotifyAccess=main", "WatchdogSec=30", "NoNewPrivileges=yes", "ProtectSystem=strict",
            "ProtectHome=yes", "PrivateTmp=yes", "PrivateDevices=yes", "CapabilityBoundingSet=",
            "MemoryDenyWriteExecute=yes", "SystemCallFilter=@system-service", "UMask=0077",
            "LoadCredential=CHARTERD_SMTP_URL", "LoadCredential=CHARTERD_DATABASE_PASSWORD", "Restart=on-failure",
        ] {
            #expect(unit.split(separator: "\n").contains { $0 == line }, "missing \(line)")
        }
    }

    /// `MemoryDenyWriteExecute=yes` refuses writable-and-executable memory to charterd and everything
    /// it starts. The kernel's own switch for the same rule (`prctl(PR_SET_MDWE)`, Linux 6.3+, kept
    /// across exec) lets the test run charterd and its embedded PostgreSQL under it: Swift code is
    /// compiled ahead of time and the cluster has no JIT, so both must serve as usual.
    @Test(.timeLimit(.minutes(3)))
    func charterdServesUnderMemoryDenyWriteExecute() async throws {
        let launcher = """
            import ctypes, mmap, os, sys
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(65, 1, 0, 0, 0) != 0:  # PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN
                sys.exit("PR_SET_MDWE: " + os.strerror(ctypes.get_errno()))
            try:  # the rule is in force: writable and executable memory is refused
                mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
                sys.exit("PR_SET_MDWE did not refuse a writable and executable mapping")
            except PermissionError:
                pass
            os.execv(sys.argv[1], sys.argv[1:])
            """
        let state = URL(fileURLWithPath: "/tmp/cwm-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: state) }
        let daemon = try DaemonProcess(stateDirectory: state, launcher: ["/usr/bin/python3", "-c", launcher])
        let url = try await daemon.listeningURL()
        #expect(try await status(of: url.appending(path: "readyz")) == 200)
        #expect(try await daemon.terminate() == 0, "\(daemon.log)")
    }

    /// The stop timeout leaves room for the graceful shutdown, whose slowest step is stopping an
    /// embedded cluster (`pg_ctl stop -t 30`).
    @Test func theStopTimeoutExceedsTheGracefulShutdownBudget() throws {
        let unit = try String(
            contentsOf: Self.repository.appending(path: "systemd/charterd.service"), encoding: .utf8)
        let timeout = unit.split(separator: "\n").first { $0.hasPrefix("TimeoutStopSec=") }
            .flatMap { Int($0.dropFirst("TimeoutStopSec=".count)) }
        #expect((timeout ?? 0) > 30 + 15)
    }

    /// Every setting appears in the example settings file, and the file itself loads.
    @Test func theExampleSettingsFileNamesEverySettingAndLoads() throws {
        let path = Self.repository.appending(path: "deploy/charterd.env.example").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var named: Set<String> = []
        for line in text.split(separator: "\n") {
            let assignment = line.hasPrefix("#") ? line.dropFirst() : line[...]
            guard let equals = assignment.firstIndex(of: "="), assignment.hasPrefix("CHARTERD_") else { continue }
            named.insert(String(assignment[..<equals]))
        }
        // CHARTERD_CONFIG names this file, so it cannot be set in it.
        let expected = CharterConfiguration.settingNames.subtracting(["CHARTERD_CONFIG"])
        #expect(expected.subtracting(named).isEmpty, "not in the example: \(expected.subtracting(named).sorted())")
        #expect(named.subtracting(expected).isEmpty, "not settings: \(named.subtracting(expected).sorted())")
        // As the unit runs it: the file plus the secrets from the credential store.
        let credentials = FileManager.default.temporaryDirectory.appending(path: "credstore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: credentials, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: credentials) }
        try "smtps://charter:secret@smtp.example.gov.uk:465\n".write(
            to: credentials.appending(path: "CHARTERD_SMTP_URL"), atomically: true, encoding: .utf8)
        try "runtime-password\n".write(
            to: credentials.appending(path: "CHARTERD_DATABASE_PASSWORD"), atomically: true, encoding: .utf8)
        let configuration = try CharterConfiguration.load(environment: [
            "CHARTERD_CONFIG": path, "CREDENTIALS_DIRECTORY": credentials.path,
        ])
        #expect(configuration.stateDirectory.path == "/var/lib/charterwatch")
        #expect(configuration.mailTransport == .smtp)
        #expect(configuration.databaseConninfo?.hasSuffix("&password=runtime-password") == true)
    }

    /// The README's configuration table lists the same settings as the code.
    @Test func theReadmeTableNamesEverySetting() throws {
        let readme = try String(contentsOf: Self.repository.appending(path: "README.md"), encoding: .utf8)
        for name in CharterConfiguration.settingNames {
            #expect(readme.contains("`\(name)`"), "README does not document \(name)")
        }
    }
}

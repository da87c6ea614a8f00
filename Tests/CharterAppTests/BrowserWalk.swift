import Foundation
import TestSupport
import Testing

/// A walk of `Tests/Browser/` in headless Chromium against a live charterd, as every browser test runs one:
/// the script gets the daemon's URL (and any further arguments), the environment given, and `CW_ARTEFACTS`
/// for its screenshots; a browser that hangs is stopped after `limit`. A walk that fails is recorded as
/// this test's failure, with what the walk and charterd said.
enum BrowserWalk {
    static let scripts = DemoTests.repository.appending(path: "Tests/Browser")

    /// Runs `script` and says whether it passed (exit status 0); the script exits 3 when Chromium,
    /// chromedriver, selenium or axe-playwright-python is missing, which fails the test, never skips it.
    @discardableResult
    static func run(
        _ script: String, against daemon: DaemonProcess, arguments: [String] = [],
        environment extra: [String: String] = [:], artefacts: String, within limit: Duration = .seconds(180),
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Bool {
        let url = try await daemon.listeningURL().absoluteString
        var environment = ProcessInfo.processInfo.environment
        environment.merge(extra) { $1 }
        environment["CW_ARTEFACTS"] = BrowserWalkthroughTests.artefacts(artefacts).path
        let walk = try SpawnedProcess(
            "/usr/bin/env", ["python3", scripts.appending(path: script).path, url] + arguments,
            environment: environment)
        let status = try? await walk.exitStatus(within: limit)
        #expect(
            status == 0,
            Comment(
                rawValue: "\(script) failed (\(status.map { "exit \($0)" } ?? "killed after \(limit)")):\n"
                    + "\(walk.standardOutput)\(walk.standardError)\ncharterd's log:\n\(daemon.log)"),
            sourceLocation: sourceLocation)
        return status == 0
    }
}

extension DaemonProcess {
    /// charterd on an external database (`conninfo`), under the test run's audit key, with its state in
    /// `stateDirectory`.
    convenience init(database conninfo: String, stateDirectory: URL) throws {
        try self.init(
            stateDirectory: stateDirectory,
            environment: ["CHARTERD_DATABASE_URL": conninfo].merging(TestAuditKey.environment) { $1 })
    }
}

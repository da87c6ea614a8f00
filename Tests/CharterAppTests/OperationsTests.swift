import CharterAccess
import CharterApp
import CharterDomain
import CharterStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PGClient
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What an operator relies on: every run on record, metrics that exist before anything happened, a
/// database outage said as one, and a listener that slow clients cannot hold open.
@Suite("Operations", .timeLimit(.minutes(10)))
struct OperationsTests {
    /// SPEC §6: every run is recorded, by hand or scheduled. Runs started through the API and through
    /// `charterctl run` are listed in `/v1/runs` with who started them and their counts; a dry run writes
    /// nothing, its record included.
    @Test func runsStartedByHandAreRecordedAndListed() async throws {
        let setup = try await APITests.setUp("ops-hand-runs")
        try await APITests.application(setup).test(.router) { client in
            try await client.execute(
                uri: "/v1/runs/nightly-compliance", method: .post, headers: APITests.headers(setup.admin),
                body: ByteBuffer(string: #"{"as_of": "2026-11-02"}"#)
            ) { #expect($0.status == .ok) }
            try await client.execute(
                uri: "/v1/runs/nightly-compliance", method: .post, headers: APITests.headers(setup.admin),
                body: ByteBuffer(string: #"{"as_of": "2026-11-03", "dry_run": true}"#)
            ) { #expect($0.status == .ok) }
            let charterctl = try SpawnedProcess(
                SpawnedProcess.builtExecutable("charterctl"), ["run", "nightly-compliance", "--as-of", "2026-11-04"],
                environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CHARTERD_") }.merging(
                    ["CHARTERD_DATABASE_URL": setup.pool.configuration.conninfo].merging(TestAuditKey.environment) {
                        $1
                    }
                ) { $1 })
            #expect(try await charterctl.exitStatus() == 0, "\(charterctl.standardError)")

            try await client.execute(
                uri: "/v1/runs", method: .get, headers: APITests.headers(setup.admin, json: false)
            ) { response in
                #expect(response.status == .ok)
                let runs = try #require(try APITests.object(response)["runs"] as? [[String: Any]])
                #expect(runs.count == 2, "a real run by the API and one by charterctl; the dry run is not recorded")
                let starters = runs.compactMap { $0["triggered_by"] as? String }
                #expect(starters.count == 2)
                #expect(starters.contains { $0.hasPrefix("charterctl:") }, "\(starters)")
                #expect(starters.contains { $0.hasPrefix("token:") }, "\(starters)")
                for run in runs {
                    #expect(run["job"] as? String == "nightly-compliance")
                    #expect(run["outcome"] as? String == "succeeded")
                    let counts = try #require(run["counts"] as? [String: Int])
                    #expect(counts["returns_evaluated"] != nil, "\(counts)")
                }
            }
        }
        await setup.pool.close()
    }

    /// While the database is down the API says so — 503 problem+json with Retry-After — rather than a 500
    /// that reads like a bug in the service.
    @Test func apiRequestsAnswer503WithRetryAfterWhileTheDatabaseIsDown() async throws {
        var configuration = PGPoolConfiguration(conninfo: "host=/nonexistent-dir dbname=none connect_timeout=1")
        configuration.acquireTimeout = .seconds(2)
        let pool = PGPool(configuration: configuration)
        let application = CharterServer.application(
            configuration: CharterConfiguration(), pool: pool, logger: .init(label: "test"))
        try await application.test(.router) { client in
            try await client.execute(
                uri: "/v1/flags", method: .get, headers: [.authorization: "Bearer \(APIToken.generate().text)"]
            ) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.headers[.retryAfter] == "5")
                let problem = try APITests.object(response)
                #expect((problem["detail"] as? String)?.contains("cannot reach its database") == true, "\(problem)")
            }
        }
    }

    /// An alert rule such as "dead messages > 0" or "failed runs > 0" must work on a new, quiet database:
    /// every series with known label values is exported at zero from start-up.
    @Test func metricSeriesWithKnownLabelsAreExportedAtZeroOnAnEmptyDatabase() async throws {
        let conninfo = try await TestCluster.freshDatabase("ops_metrics")
        let daemon = try DaemonProcess(
            stateDirectory: URL(fileURLWithPath: "/tmp/cwm-\(UUID().uuidString.prefix(8))"),
            environment: ["CHARTERD_DATABASE_URL": conninfo, "CHARTERD_MAIL_TRANSPORT": "none"].merging(
                TestAuditKey.environment
            ) { $1 })
        let url = try await daemon.listeningURL()
        // The sampler's first reading follows start-up; wait for its series rather than for a while.
        var text = ""
        let clock = ContinuousClock()
        let started = clock.now
        repeat {
            let (data, _) = try await URLSession.shared.data(from: url.appending(path: "metrics"))
            text = String(decoding: data, as: UTF8.self)
            if text.contains("charter_outbox_messages{") { break }
            try await Task.sleep(for: .milliseconds(200))
        } while clock.now - started < .seconds(120)
        // Each sample line's value, by its series ("name{labels}"); gauges print 0.0, counters 0.
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            samples[String(line[..<space])] = Double(line[line.index(after: space)...])
        }
        var expected: [String] = []
        for state in FlagState.allCases {
            for severity in Severity.allCases where severity != .off {
                expected.append(#"charter_flags{state="\#(state.rawValue)",severity="\#(severity.rawValue)"}"#)
            }
        }
        for state in ["queued", "sending", "sent", "dead"] {
            expected.append(#"charter_outbox_messages{state="\#(state)"}"#)
        }
        for job in ["nightly-compliance", "return-reminders", "weekly-summary", "accreditation-renewals"] {
            for outcome in ["succeeded", "failed"] {
                expected.append(#"charter_job_runs_total{job="\#(job)",outcome="\#(outcome)"}"#)
            }
        }
        for series in expected {
            #expect(samples[series] == 0, "\(series) is \(samples[series].map { "\($0)" } ?? "missing")")
        }
        #expect(try await daemon.terminate() == 0)
    }

    /// Clients that trickle a request head or body a byte a second are closed by the listener's idle and
    /// body timeouts (15 s each, `CharterServer`), not held for as long as they care to hold them; the
    /// server goes on answering everyone else meanwhile.
    @Test func slowHeaderAndSlowBodyClientsAreClosed() async throws {
        let conninfo = try await TestCluster.freshDatabase("ops_slow")
        let daemon = try DaemonProcess(
            stateDirectory: URL(fileURLWithPath: "/tmp/cws-\(UUID().uuidString.prefix(8))"),
            environment: ["CHARTERD_DATABASE_URL": conninfo, "CHARTERD_MAIL_TRANSPORT": "none"].merging(
                TestAuditKey.environment
            ) { $1 })
        let url = try await daemon.listeningURL()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appending(path: "TestSupport/slow_clients.py")
        let clients = try SpawnedProcess(
            "/usr/bin/python3",
            [script.path, "--port", "\(url.port!)", "--headers", "50", "--bodies", "200", "--limit", "60"],
            environment: ProcessInfo.processInfo.environment)
        // Meanwhile an ordinary request is answered.
        #expect(try await status(of: url.appending(path: "healthz")) == 200)
        #expect(try await clients.exitStatus(within: .seconds(120)) == 0, "\(clients.standardError)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(clients.standardOutput.utf8)) as? [String: [String: Double]])
        for kind in ["headers", "bodies"] {
            let figures = try #require(report[kind])
            #expect(figures["closed"] == figures["opened"], "\(kind): \(figures)")
            // 15 s of timeout, plus a loaded machine's slack; they were held 60 s and more before.
            #expect((figures["longest_open_seconds"] ?? 99) < 30, "\(kind): \(figures)")
        }
        #expect(try await daemon.terminate() == 0)
    }
}

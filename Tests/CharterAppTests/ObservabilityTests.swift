import CharterAccess
import CharterDomain
import CharterStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PGClient
import Synchronization
import TestSupport
import Testing

@testable import CharterApp
@testable import Scheduling

/// What an operator reads in the journal and scrapes from `/metrics`: log lines in one parseable format that
/// never hold a credential, and request, pool and database numbers by route pattern, not by raw path.
@Suite("Logs and metrics", .timeLimit(.minutes(10)))
struct ObservabilityTests {
    /// Keeps every line a `CharterLogHandler` writes.
    final class CapturedLines: Sendable {
        let lines = Mutex<[String]>([])

        var all: [String] { lines.withLock { $0 } }

        func logger(_ format: LogFormat = .logfmt) -> Logger {
            Logger(label: "test") { label in
                CharterLogHandler(label: label, format: format, logLevel: .trace) { line in
                    self.lines.withLock { $0.append(line) }
                }
            }
        }
    }

    static let noon = Date(timeIntervalSince1970: 1_795_000_000.25)

    @Test func logfmtLinesQuoteWhatNeedsItAndRedactSecretKeys() {
        let line = CharterLogHandler.line(
            format: .logfmt, time: Self.noon, level: .info, label: "charterd", message: "run \"finished\"\nok",
            metadata: ["job": "nightly-compliance", "run_id": "42", "api_token": "cw_abc_secret", "empty": ""])
        #expect(
            line
                == #"time=2026-11-18T11:06:40.250Z level=info label=charterd message="run \"finished\"\nok" "#
                + #"api_token=[redacted] empty="" job=nightly-compliance run_id=42"#)
    }

    @Test func jsonLinesAreOneObjectWithTheSameFields() throws {
        let line = CharterLogHandler.line(
            format: .json, time: Self.noon, level: .error, label: "charter.outbox", message: "tab\there \u{1}",
            metadata: ["password": "hunter2", "hb.request.id": "abc"])
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(
            object == [
                "time": "2026-11-18T11:06:40.250Z", "level": "error", "label": "charter.outbox",
                "message": "tab\there \u{1}", "password": "[redacted]", "hb.request.id": "abc",
            ])
    }

    @Test func theLogFormatSettingIsReadAndChecked() throws {
        #expect(try CharterConfiguration.load(environment: [:]).logFormat == .logfmt)
        #expect(try CharterConfiguration.load(environment: ["CHARTERD_LOG_FORMAT": "json"]).logFormat == .json)
        #expect(throws: ConfigurationError.self) {
            try CharterConfiguration.load(environment: ["CHARTERD_LOG_FORMAT": "xml"])
        }
    }

    /// A request with a bearer token, one with a session cookie and a failed sign-in, logged at trace:
    /// the request id is on the request's lines, and no line holds the token, the cookie or a password.
    @Test func requestLogsCarryTheRequestIDAndNoCredentials() async throws {
        let setup = try await WebPagesTests.setUp("observability-logs")
        let issued = try await TokenStore(pool: setup.pool).create(
            role: .admin, employerID: nil, repID: nil, label: nil, expiresAt: nil, createdBy: "test")
        let token = issued.token.text
        let captured = CapturedLines()
        let app = CharterServer.application(
            configuration: CharterConfiguration(), pool: setup.pool, logger: captured.logger(), users: setup.users)
        let wrongPassword = "not-the-password-7Qx!"
        let cookie = try await app.test(.router) { client in
            let cookie = try await WebPagesTests.signIn(client, "team@charter.example")
            try await client.execute(uri: "/flags", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(
                uri: "/v1/flags", method: .get, headers: [.authorization: "Bearer \(token)", .cookie: cookie]
            ) { response in
                #expect(response.status == .ok)
            }
            let refused = try await WebPagesTests.postSignIn(client, "team@charter.example", password: wrongPassword)
            #expect(refused.status == .unauthorized)
            return cookie
        }
        let cookieValue = String(try #require(cookie.split(separator: "=", maxSplits: 1).last))
        let lines = captured.all
        #expect(lines.contains { $0.contains("hb.request.id=") && $0.contains("/v1/flags") })
        for secret in [
            token, issued.token.text.split(separator: "_").last.map(String.init) ?? token, cookieValue,
            WebPagesTests.password, wrongPassword,
        ] {
            #expect(!lines.contains { $0.contains(secret) }, "a log line holds a credential")
        }
    }

    /// `/metrics` after a few requests: counted by route pattern and status, timed in a histogram, the pool's
    /// gauges, and every line in the Prometheus text format.
    @Test func metricsShowRequestsByRoutePatternAndThePool() async throws {
        let setup = try await APITests.setUp("observability-metrics")
        try await APITests.application(setup).test(.router) { client in
            for _ in 0..<3 {
                try await client.execute(uri: "/v1/flags/987654", method: .get, headers: APITests.headers(setup.admin))
                { response in
                    #expect(response.status == .notFound)
                }
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            let text = try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                return String(buffer: response.body)
            }
            let lines = text.split(separator: "\n").map(String.init)
            func sample(_ name: String, _ labels: [String]) -> Double? {
                lines.first { line in
                    line.hasPrefix(name + "{") && labels.allSatisfy { line.contains($0) }
                }.flatMap { Double($0.split(separator: " ").last ?? "") }
            }
            let flagRoute = [#"http_route="/v1/flags/{flag}""#, #"http_response_status_code="404""#]
            #expect((sample("hb_requests", flagRoute) ?? 0) >= 3)
            #expect((sample("http_server_request_duration_count", flagRoute) ?? 0) >= 3)
            #expect(sample("http_server_request_duration_bucket", flagRoute + [#"le="+Inf""#]) != nil)
            #expect(sample("hb_requests", [#"http_route="/healthz""#, #"http_response_status_code="200""#]) != nil)
            #expect(!text.contains("987654"), "a raw path with an id became a label")
            #expect(sample("charter_db_pool_connections", [#"state="idle""#]) != nil)
            #expect(sample("charter_db_pool_connections", [#"state="in_use""#]) != nil)
            #expect(text.contains("\ncharter_db_pool_waiting_leases "))
            #expect(text.contains("\ncharter_db_pool_queued_statements "))
            for line in lines { #expect(Self.isPrometheusTextLine(line), "not Prometheus text: \(line)") }
        }
    }

    /// The sampler turns the outbox table into gauges, and sets a state that empties back to 0.
    @Test func theSamplerCountsOutboxMessagesByState() async throws {
        let pool = try await MigratedDatabase("observability-sampler").pool
        CharterMetrics.bootstrap()
        try await pool.withConnection { connection in
            for key in ["a", "b"] {
                try await connection.execute(
                    """
                    INSERT INTO outbox_messages (kind, dedup_key, sender, recipients, recipient, subject, message,
                        content_digest, state)
                    VALUES ('reminder', \("observability-" + key), 'charter@example.org', ARRAY['hr@example.org'],
                        'hr@example.org', 'Reminder', '\\x00'::bytea, sha256('x'::bytea), 'dead')
                    """)
            }
        }
        let sampler = MetricsSampler(pool: pool, logger: Logger(label: "test"))
        let seen = try await sampler.sample(zeroing: [])
        #expect(
            String(decoding: CharterMetrics.exposition(pool: nil), as: UTF8.self).contains(
                #"charter_outbox_messages{state="dead"} 2"#))
        try await pool.withConnection { try await $0.execute("DELETE FROM outbox_messages") }
        _ = try await sampler.sample(zeroing: seen)
        #expect(
            String(decoding: CharterMetrics.exposition(pool: nil), as: UTF8.self).contains(
                #"charter_outbox_messages{state="dead"} 0"#))
    }

    /// Each scheduled job run is counted and timed under its job and outcome.
    @Test func jobRunsAreCountedAndTimedByJobAndOutcome() async throws {
        struct Boom: Error {}
        CharterMetrics.bootstrap()
        let schedule = try CronSchedule("* * * * *")
        let succeeding = CharterJobs.measured(
            ScheduledJob(name: "observability-ok", schedule: schedule) { _ in ["checked": 1] })
        let failing = CharterJobs.measured(
            ScheduledJob(name: "observability-fail", schedule: schedule) { _ in throw Boom() })
        let context = JobRunContext(
            runID: 7, job: "observability", scheduledFor: Date(), attempt: 1, logger: Logger(label: "test"))
        #expect(try await succeeding.run(context) == ["checked": 1])
        do {
            _ = try await failing.run(context)
            Issue.record("the failing job succeeded")
        } catch is Boom {}
        let text = String(decoding: CharterMetrics.exposition(pool: nil), as: UTF8.self)
        #expect(text.contains(#"charter_job_runs_total{job="observability-ok",outcome="succeeded"} 1"#))
        #expect(text.contains(#"charter_job_runs_total{job="observability-fail",outcome="failed"} 1"#))
        #expect(
            text.contains(#"charter_job_run_duration_seconds_count{job="observability-ok",outcome="succeeded"} 1"#))
    }

    /// One line of the Prometheus text exposition format 0.0.4: a `# TYPE`/`# HELP` comment or a sample.
    static func isPrometheusTextLine(_ line: String) -> Bool {
        if line.hasPrefix("# TYPE ") {
            return line.wholeMatch(of: /# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped)/)
                != nil
        }
        if line.hasPrefix("# HELP ") { return true }
        return line.wholeMatch(
            of:
                /[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? (-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?|NaN|\+Inf|-Inf)/
        ) != nil
    }
}

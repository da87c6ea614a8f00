import CharterApp
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PGClient
import Synchronization
import Testing

/// The request log line names the path, never the query: a set-password link's token must not reach
/// the log even at debug level.
@Suite("The request log")
struct RequestLogTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
    }

    struct Capture: LogHandler {
        let sink: Lines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            sink.lines.withLock { $0.append("\(event.message) \(all)") }
        }
    }

    @Test func aQueryNeverReachesTheLog() async throws {
        let sink = Lines()
        var logger = Logger(label: "test") { _ in Capture(sink: sink) }
        logger.logLevel = .debug
        let pool = PGPool(configuration: PGPoolConfiguration(conninfo: "host=/nonexistent dbname=none"))
        let application = CharterServer.application(
            configuration: CharterConfiguration(), pool: pool, logger: logger)
        try await application.test(.router) { client in
            _ = try await client.execute(uri: "/healthz?token=s3cr3t-one-time-link", method: .get)
        }
        let lines = sink.lines.withLock { $0 }
        #expect(lines.contains { $0.contains("/healthz") })
        #expect(!lines.contains { $0.contains("s3cr3t") }, "\(lines)")
    }
}

import CharterApp
import CharterStore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PGClient
import TestSupport
import Testing

@Suite("Health and readiness", .timeLimit(.minutes(10)))
struct ReadinessTests {
    @Test func readyOnlyOnceTheSchemaIsCurrent() async throws {
        let conninfo = try await TestCluster.freshDatabase("ready")
        let pool = PGPool(configuration: PGPoolConfiguration(conninfo: conninfo))
        let application = CharterServer.application(
            configuration: CharterConfiguration(), pool: pool, logger: .init(label: "test"))
        try await application.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("schema is not current"))
            }
            try await pool.withConnection { _ = try await CharterSchema.migrator().migrate(on: $0) }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
        }
        await pool.close()
    }

    @Test func notReadyWhenTheDatabaseIsUnreachable() async throws {
        var configuration = PGPoolConfiguration(conninfo: "host=/nonexistent-dir dbname=none connect_timeout=1")
        configuration.acquireTimeout = .seconds(2)
        let pool = PGPool(configuration: configuration)
        let application = CharterServer.application(
            configuration: CharterConfiguration(), pool: pool, logger: .init(label: "test"))
        try await application.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("database unavailable"))
            }
        }
    }
}

import CharterApp
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PGClient
import Testing

/// The OpenAPI document and the router must name the same operations.
@Suite("OpenAPI document and router agree", .timeLimit(.minutes(10)))
struct OpenAPISyncTests {
    /// `METHOD /path` for every operation under `paths:` in the document. The document keeps one
    /// layout (paths at two spaces, methods at four), which this reads without a YAML library.
    static func documentedOperations(_ yaml: String) -> Set<String> {
        var operations: Set<String> = []
        var inPaths = false
        var path: String?
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty {
                inPaths = line == "paths:"
                path = nil
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())  // "  /v1/x:" → "/v1/x"
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path {
                let key = line.dropFirst(4).prefix { $0 != ":" }
                if methods.contains(String(key)) { operations.insert("\(key.uppercased()) \(path)") }
            }
        }
        return operations
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteExists() throws {
        let pool = PGPool(configuration: PGPoolConfiguration(conninfo: "host=/nonexistent dbname=none"))
        let routed = Set(CharterAPI.routes(pool: pool).map { "\($0.method.rawValue) \($0.path)" })
            .union(CharterAPI.publicRoutes(pool: pool).map { "\($0.method.rawValue) \($0.path)" })
        let documented = Self.documentedOperations(OpenAPIDocument.yaml).filter { $0.contains(" /v1/") }
        #expect(!routed.isEmpty)
        #expect(routed.subtracting(documented).sorted() == [], "routes missing from openapi.yaml")
        #expect(documented.subtracting(routed).sorted() == [], "openapi.yaml names routes the router lacks")
    }

    /// The whole router, not only the API's route table: its `/v1` routes and the operational ones
    /// (health, readiness, metrics, this document) are exactly what the document names.
    @Test func theRouterServesExactlyTheDocumentedAPIAndOperationalRoutes() throws {
        let pool = PGPool(configuration: PGPoolConfiguration(conninfo: "host=/nonexistent dbname=none"))
        let routes = CharterServer.router(pool: pool).routes.map { "\($0.method.rawValue) \($0.path)" }
        let operational = Set(
            routes.filter { CharterServer.operationalPaths.contains(String($0.split(separator: " ")[1])) })
        #expect(operational == Set(CharterServer.operationalPaths.map { "GET \($0)" }))
        let served = Set(routes.filter { $0.split(separator: " ")[1].hasPrefix("/v1/") }).union(operational)
        #expect(served == Self.documentedOperations(OpenAPIDocument.yaml))
    }

    @Test func theReaderSeesAMissingOrExtraOperation() {
        let yaml = """
            openapi: 3.1.0
            paths:
              /v1/a:
                get:
                  summary: x
                post:
                  summary: y
              /v1/b/{id}:
                delete:
                  parameters: []
            components:
              schemas:
                get:
                  type: object
            """
        #expect(Self.documentedOperations(yaml) == ["GET /v1/a", "POST /v1/a", "DELETE /v1/b/{id}"])
    }

    @Test func theDocumentIsServed() async throws {
        let pool = PGPool(configuration: PGPoolConfiguration(conninfo: "host=/nonexistent dbname=none"))
        let application = CharterServer.application(
            configuration: CharterConfiguration(), pool: pool, logger: .init(label: "test"))
        try await application.test(.router) { client in
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/yaml") == true)
                #expect(String(buffer: response.body).hasPrefix("openapi: 3.1.0"))
            }
            try await client.execute(uri: "/v1/employers", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            }
            try await client.execute(uri: "/v1/no-such-thing", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(String(buffer: response.body).contains("\"status\":404"))
            }
        }
    }
}

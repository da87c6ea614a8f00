import CharterApp
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Errors leaving a route", .timeLimit(.minutes(10)))
struct ProblemMiddlewareTests {
    /// A request cancelled while charterd stops is not a server failure: 503 and an info line, not
    /// an error in the log (a benchmark's end used to print one error per open connection).
    @Test func aCancelledRequestIsA503AndNoErrorInTheLog() async throws {
        let captured = ObservabilityTests.CapturedLines()
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(ProblemMiddleware())
        router.get("/slow") { _, _ -> String in throw CancellationError() }
        let app = Application(router: router, logger: captured.logger())
        try await app.test(.router) { client in
            try await client.execute(uri: "/slow", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(String(buffer: response.body).contains("shutting down"))
            }
        }
        #expect(captured.all.contains { $0.contains("request cancelled") && $0.contains("level=info") })
        #expect(!captured.all.contains { $0.contains("level=error") })
    }
}

import HTTPTypes
import Hummingbird

/// Answers an address that matches no route with the "page not found" page in the layout when a browser
/// asked — it sends `Accept: text/html`, or the path is outside the API (`/v1`) and it did not ask for
/// JSON — and leaves everything else to `ProblemMiddleware`'s `application/problem+json`, as API
/// clients expect.
///
/// Added to the router after every route, so it wraps only the router's "no such route" answer.
struct WebNotFoundMiddleware: RouterMiddleware {
    typealias Context = CharterRequestContext

    func handle(
        _ request: Request, context: CharterRequestContext,
        next: (Request, CharterRequestContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && Self.wantsPage(request) {
            return WebPage.render("not-found", [:], context: context, status: .notFound)
        }
    }

    /// Whether the request comes from a person's browser rather than an API client.
    static func wantsPage(_ request: Request) -> Bool {
        let accept = request.headers[.accept]?.lowercased() ?? ""
        if accept.contains("text/html") { return true }
        if accept.contains("json") { return false }
        let path = request.uri.path
        return path != "/v1" && !path.hasPrefix("/v1/")
    }
}

import HTTPTypes
import Hummingbird

/// Turns every error leaving a web page into an HTML page with the right status — the same status
/// and sentence the API's problem would have (`ProblemMiddleware.problem(for:context:)`) — except
/// that a page asked for by nobody signed in sends the browser to the sign-in page.
struct WebErrorMiddleware: RouterMiddleware {
    typealias Context = CharterRequestContext

    func handle(
        _ request: Request, context: CharterRequestContext,
        next: (Request, CharterRequestContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = ProblemMiddleware<CharterRequestContext>.problem(for: error, context: context)
            if problem.status == .unauthorized {
                return WebPage.redirect(to: "/sign-in")
            }
            var response = WebPage.render(
                "error", ["heading": problem.title, "detail": problem.detail], context: context,
                status: problem.status)
            if let retry = problem.headers[.retryAfter] { response.headers[.retryAfter] = retry }
            return response
        }
    }
}

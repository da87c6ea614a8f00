import Foundation
import HTTPTypes
import Hummingbird

/// Turns every error leaving a web page into an HTML page with the right status — the same status
/// and sentence the API's problem would have (`ProblemMiddleware.problem(for:context:)`) — except
/// that a page asked for by nobody signed in sends the browser to the sign-in page, which brings them
/// back to that page afterwards (`?next=`).
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
                return WebPage.redirect(to: Self.signInLocation(for: request))
            }
            var response = WebPage.render(
                "error", ["heading": problem.title, "detail": problem.detail], context: context,
                status: problem.status)
            if let retry = problem.headers[.retryAfter] { response.headers[.retryAfter] = retry }
            return response
        }
    }

    /// `/sign-in`, with `?next=` naming the page asked for when it was a page to come back to (a GET
    /// of anything but the start page).
    static func signInLocation(for request: Request) -> String {
        let path = request.uri.path
        guard request.method == .get || request.method == .head, path != "/",
            let next = WebPage.localPath(path + (request.uri.query.map { "?\($0)" } ?? ""))
        else { return "/sign-in" }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        return "/sign-in?next=" + (next.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
    }
}

import HTTPTypes
import Hummingbird

/// Reads the notice cookie a form's redirect left (`WebNotice`) into the context, so the page shows
/// what happened, and forgets it once a page has been shown — a reload does not say it again. A
/// redirect passes it on untouched to the page it leads to.
struct WebNoticeMiddleware: RouterMiddleware {
    typealias Context = CharterRequestContext

    func handle(
        _ request: Request, context: CharterRequestContext,
        next: (Request, CharterRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let code = request.cookies[WebNotice.cookieName]?.value, !code.isEmpty else {
            return try await next(request, context)
        }
        var context = context
        context.webNotice = WebNotice(code: code)
        var response = try await next(request, context)
        let isRedirect = (300..<400).contains(response.status.code)
        let setsNotice = response.headers[values: .setCookie].contains { $0.hasPrefix(WebNotice.cookieName + "=") }
        if !isRedirect && !setsNotice {
            response.setCookie(WebNotice.clearing)
        }
        return response
    }
}

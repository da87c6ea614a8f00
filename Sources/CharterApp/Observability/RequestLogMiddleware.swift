import Hummingbird
import Logging

/// One log line per request at debug level: method and path — never the query, headers or body.
///
/// Hummingbird's `LogRequestsMiddleware` logs `request.uri` whole, query included, and a query can hold a
/// secret: `/set-password?token=…` carries a one-time link that sets a password, and a search can carry
/// what someone typed. So the path alone, through the request's logger (which carries `hb.request.id`).
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = CharterRequestContext

    func handle(
        _ request: Request, context: CharterRequestContext,
        next: (Request, CharterRequestContext) async throws -> Response
    ) async throws -> Response {
        context.logger.debug(
            "request", metadata: ["hb.method": "\(request.method)", "hb.path": "\(request.uri.path)"])
        return try await next(request, context)
    }
}

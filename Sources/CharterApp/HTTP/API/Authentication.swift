public import CharterAccess
import Foundation
import HTTPTypes
public import Hummingbird

/// Says who is asking: an `Authorization: Bearer` API token becomes the request's `principal`.
///
/// A request without credentials goes on with no principal (health checks, the OpenAPI document;
/// API routes then answer 401). Credentials that do not check out — malformed, unknown, expired
/// or revoked — are refused here with 401, without saying which.
public struct Authentication: RouterMiddleware {
    public typealias Context = CharterRequestContext
    /// The principal an API token stands for, or nil when it does not check out.
    let principalForToken: @Sendable (String) async throws -> Principal?

    public init(principalForToken: @escaping @Sendable (String) async throws -> Principal?) {
        self.principalForToken = principalForToken
    }

    public func handle(
        _ request: Request, context: CharterRequestContext,
        next: (Request, CharterRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let authorization = request.headers[.authorization] else {
            return try await next(request, context)
        }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer",
            let principal = try await principalForToken(String(parts[1]).trimmingCharacters(in: .whitespaces))
        else {
            throw Problem(
                .unauthorized, "the API token is not valid (unknown, expired, revoked or malformed)",
                headers: [.wwwAuthenticate: "Bearer realm=\"charterwatch\", error=\"invalid_token\""])
        }
        var context = context
        context.principal = principal
        return try await next(request, context)
    }
}

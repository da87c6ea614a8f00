public import CharterAccess
public import CharterStore
import Foundation
import HTTPTypes
public import Hummingbird

/// Says who is asking: an `Authorization: Bearer` API token becomes the request's `principal`; without
/// one, the web pages' session cookie does (with its CSRF token kept in the context).
///
/// A request without credentials goes on with no principal (health checks, the OpenAPI document;
/// API routes then answer 401, pages send to the sign-in page). An API token that does not check
/// out — malformed, unknown, expired or revoked — is refused here with 401, without saying which; a
/// session cookie that does not (signed out, expired) is ignored, so the browser is asked to sign in.
public struct Authentication: RouterMiddleware {
    public typealias Context = CharterRequestContext
    /// The principal an API token stands for, or nil when it does not check out.
    let principalForToken: @Sendable (String) async throws -> Principal?
    /// The live session a session cookie's value names, or nil.
    let sessionForCookie: @Sendable (String) async throws -> ActiveSession?

    public init(
        principalForToken: @escaping @Sendable (String) async throws -> Principal?,
        sessionForCookie: @escaping @Sendable (String) async throws -> ActiveSession? = { _ in nil }
    ) {
        self.principalForToken = principalForToken
        self.sessionForCookie = sessionForCookie
    }

    public func handle(
        _ request: Request, context: CharterRequestContext,
        next: (Request, CharterRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let authorization = request.headers[.authorization] else {
            guard let cookie = request.cookies[SessionCookie.defaultName],
                let session = try await sessionForCookie(cookie.value)
            else {
                return try await next(request, context)
            }
            var context = context
            context.principal = session.principal
            context.csrfToken = session.csrfToken
            context.signedInName = session.displayName
            return try await next(request, context)
        }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer",
            let principal = try await principalForToken(Self.trimmingBlanks(parts[1]))
        else {
            throw Problem(
                .unauthorized, "the API token is not valid (unknown, expired, revoked or malformed)",
                headers: [.wwwAuthenticate: "Bearer realm=\"charterwatch\", error=\"invalid_token\""])
        }
        var context = context
        context.principal = principal
        return try await next(request, context)
    }

    /// `text` without the spaces and tabs around it (a header's optional whitespace), byte by byte:
    /// `trimmingCharacters(in:)` cost more than the token's own check.
    static func trimmingBlanks(_ text: Substring) -> String {
        var bytes = text.utf8[...]
        while let first = bytes.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            bytes = bytes.dropFirst()
        }
        while let last = bytes.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
            bytes = bytes.dropLast()
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

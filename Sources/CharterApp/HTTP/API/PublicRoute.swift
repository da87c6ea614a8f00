public import HTTPTypes
public import Hummingbird

/// A route of the JSON API that answers anyone, signed in or not: the public register (SPEC §10).
///
/// Kept apart from `APIRoute`, whose every route needs a principal (401 without one) and names the
/// `Action` it asks the policy for: a public route asks nothing, so it must give only what the public
/// may see. A public route that shows more to a signed-in caller reads `context.principal` itself and
/// asks the policy.
public struct PublicRoute: Sendable {
    public typealias Handler = @Sendable (Request, CharterRequestContext) async throws -> Response

    public var method: HTTPRequest.Method
    public var path: String
    public var handler: Handler

    public init(_ method: HTTPRequest.Method, _ path: String, handler: @escaping Handler) {
        self.method = method
        self.path = path
        self.handler = handler
    }
}

public import CharterAccess
import HTTPTypes
public import Hummingbird

/// One route of the JSON API: method, path (the same `{name}` template the OpenAPI document uses),
/// the `Action` it asks to perform, and its handler.
///
/// The table of routes is the single list the router, the OpenAPI check and the authorisation
/// matrix test all read, so a route cannot exist without saying what it is allowed to do.
public struct APIRoute: Sendable {
    public typealias Handler = @Sendable (Request, CharterRequestContext, Principal) async throws -> Response

    /// How the route's access is decided, before or inside its handler.
    public enum Access: Sendable, Hashable {
        /// Not about one employer's data (runs, audit) or creating an employer: asked with no employer
        /// before the handler runs.
        case service
        /// The path's `{employer}` names the employer: asked before the handler runs.
        case pathEmployer
        /// A list: the handler returns only what `AccessPolicy.visibleEmployers(_:for:)` allows.
        case filteredList
        /// The handler looks the thing up (a flag, an exemption) and asks `APIAccess` with its employer.
        case lookedUp
    }

    public var method: HTTPRequest.Method
    public var path: String
    public var action: Action
    public var access: Access
    public var handler: Handler

    /// `access` may be left out when the path names the employer or the action is service-wide.
    public init(
        _ method: HTTPRequest.Method, _ path: String, _ action: Action, access: Access? = nil,
        handler: @escaping Handler
    ) {
        self.method = method
        self.path = path
        self.action = action
        if let access {
            self.access = access
        } else if action.scope == .global {
            self.access = .service
        } else if path.contains("{employer}") {
            self.access = .pathEmployer
        } else {
            preconditionFailure("\(method) \(path) must say how its access is decided")
        }
        self.handler = handler
    }
}

import CharterAccess
import Hummingbird

/// Keeps everyone but the charter team and viewers out of `/admin` and everything under it — 403 with
/// a page saying so, whether or not the path exists, so the workspace's layout is not probed from
/// outside; nobody signed in goes to sign-in and comes back (`WebErrorMiddleware`).
///
/// It runs before routing, so no route under `/admin` can forget the check; each route still asks the
/// policy for what it does (a viewer may look but not change).
struct WorkspaceGate: RouterMiddleware {
    typealias Context = CharterRequestContext

    func handle(
        _ request: Request, context: CharterRequestContext,
        next: (Request, CharterRequestContext) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        guard path == "/admin" || path.hasPrefix("/admin/") || path.hasPrefix("/admin.") else {
            return try await next(request, context)
        }
        guard let principal = context.principal else {
            return WebPage.redirect(to: WebErrorMiddleware.signInLocation(for: request))
        }
        if case .denied(let reason) = AccessPolicy.decide(principal, .openWorkspace, employerID: nil) {
            return WebPage.render(
                "error", ["heading": "You cannot use this page", "detail": reason], context: context,
                status: .forbidden)
        }
        return try await next(request, context)
    }
}

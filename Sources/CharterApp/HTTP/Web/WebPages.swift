import CharterAccess
public import CharterStore
public import CharterUseCases
import Foundation
import HTTPTypes
public import Hummingbird
public import PGClient

/// The server-rendered web pages: sign-in, the flag queue and flag pages, employer and return pages,
/// and the administration overview. No JavaScript; every form works as plain HTML.
///
/// Pages authenticate with the session cookie (`Authentication`), decide access through
/// `APIAccess`/`AccessPolicy` exactly as the API does — a page about an employer the user may not see
/// is a 404 page — and check the session's CSRF token on every state-changing POST.
public enum WebPages {
    /// Puts the pages on `router`, behind `WebNoticeMiddleware` (what the last form did) and
    /// `WebErrorMiddleware` (errors as HTML pages); an address that matches no route is the "page not
    /// found" page for a browser (`WebNotFoundMiddleware`), so this registers last.
    public static func register(
        on router: Router<CharterRequestContext>, pool: PGPool, users: UserStore, reportQueue: ReportQueue? = nil
    ) {
        // Hummingbird builds each route's middleware when the route is added: the gate goes first, so
        // every /admin route (and every address that matches none) is behind it.
        router.add(middleware: WorkspaceGate())
        let group = router.group().add(middleware: WebNoticeMiddleware()).add(middleware: WebErrorMiddleware())
        group.get("/") { _, context -> Response in
            guard let principal = context.principal else { return WebPage.redirect(to: "/sign-in") }
            if principal.role == .employer, let employer = principal.employerID {
                return WebPage.redirect(to: "/employers/\(employer)")
            }
            return WebPage.redirect(to: "/flags")
        }
        registerSignIn(on: group, users: users)
        // One store, so the flag queue and the employer pages share the employer names and titles it keeps.
        let flags = FlagStore(pool: pool, reportQueue: reportQueue)
        registerFlags(on: group, pool: pool, flags: flags, users: users)
        registerEmployers(on: group, pool: pool, flags: flags, users: users)
        registerOutcomes(on: group, pool: pool)
        registerPublicRegister(on: group, pool: pool)
        registerApply(on: group, pool: pool, reportQueue: reportQueue)
        registerWorkspace(on: group, services: WorkspaceServices(pool: pool, users: users, reportQueue: reportQueue))
        router.add(middleware: WebNotFoundMiddleware())
    }

    /// The signed-in principal; nobody signed in is a 401, which `WebErrorMiddleware` sends to sign-in.
    static func principal(_ context: CharterRequestContext) throws -> Principal {
        guard let principal = context.principal else {
            throw Problem(.unauthorized, "sign in to see this page")
        }
        return principal
    }

    /// Whether the policy allows `action` on `employerID`'s things (to decide which forms to show).
    static func allows(_ principal: Principal, _ action: Action, employerID: Int64?) -> Bool {
        AccessPolicy.decide(principal, action, employerID: employerID).isAllowed
    }
}

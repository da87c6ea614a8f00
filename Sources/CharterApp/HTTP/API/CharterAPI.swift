import CharterAccess
import CharterDomain
import CharterStore
import CharterUseCases
import HTTPTypes
public import Hummingbird
public import PGClient

/// The JSON API under `/v1`: the table of routes and how they are put on a router.
///
/// Every route goes through `register`, which answers 401 when nobody signed in and asks
/// `APIAccess` before the handler runs when the route's path names its employer or the route is
/// service-wide (`APIRoute.Access`); lists filter by what the caller may see, and routes about one
/// flag or exemption look its employer up and ask `APIAccess` themselves. The authorisation matrix
/// test walks this table with every role.
public enum CharterAPI {
    /// Every route of the API.
    public static func routes(pool: PGPool) -> [APIRoute] {
        routes(pool: pool, tokenCache: TokenPrincipalCache())
    }

    /// Every route of the API; the routes that revoke tokens or change coverage empty `tokenCache`, and
    /// flag actions queue their notices through `reportQueue` when there is one.
    static func routes(pool: PGPool, tokenCache: TokenPrincipalCache, reportQueue: ReportQueue? = nil) -> [APIRoute] {
        employerRoutes(pool: pool) + returnRoutes(pool: pool) + flagRoutes(pool: pool, reportQueue: reportQueue)
            + exemptionRoutes(pool: pool) + runRoutes(pool: pool, reportQueue: reportQueue)
            + accessRoutes(pool: pool, tokenCache: tokenCache)
            + auditRoutes(pool: pool)
    }

    /// Puts `routes` on `router`, each behind the checks above.
    public static func register(_ routes: [APIRoute], on router: Router<CharterRequestContext>) {
        for route in routes {
            router.on(RouterPath(route.path), method: route.method) { request, context -> Response in
                guard let principal = context.principal else {
                    throw Problem(
                        .unauthorized, "sign in or send an API token (Authorization: Bearer …) to use the API",
                        headers: [.wwwAuthenticate: "Bearer realm=\"charterwatch\""])
                }
                // A session cookie (no CSRF check here) may read the API but not change anything.
                if context.csrfToken != nil, route.method != .get, route.method != .head {
                    throw Problem(
                        .forbidden, "changes through the API need an API token (Authorization: Bearer …), not a session"
                    )
                }
                switch route.access {
                case .service:
                    try APIAccess.require(principal, route.action, employerID: nil, notFound: "")
                case .pathEmployer:
                    let id = try Self.id("employer", context)
                    try APIAccess.require(
                        principal, route.action, employerID: id, notFound: "there is no employer \(id)")
                case .filteredList, .lookedUp:
                    break
                }
                return try await route.handler(request, context, principal)
            }
        }
    }

    // MARK: Reading requests

    /// A path parameter as an id, or 404 naming it.
    static func id(_ name: String, _ context: CharterRequestContext) throws -> Int64 {
        guard let text = context.parameters.get(name), let id = Int64(text), id > 0 else {
            throw Problem(.notFound, "there is no \(name) \((context.parameters.get(name) ?? "").excerpt())")
        }
        return id
    }

    /// A `YYYY-Qn` period from the path, or 404.
    static func period(_ context: CharterRequestContext) throws -> ReportingPeriod {
        guard let text = context.parameters.get("period"), let period = ReportingPeriod(text) else {
            throw Problem(
                .notFound,
                "there is no period \((context.parameters.get("period") ?? "").excerpt()); periods are written YYYY-Qn")
        }
        return period
    }

    /// A `YYYY-MM-DD` date from the body's `field`, within `CalendarDate.plausibleRange`, or 422 naming the field.
    static func date(_ text: String, field: String) throws -> CalendarDate {
        guard let date = CalendarDate(iso: text) else {
            throw Problem(
                .unprocessableContent, "\(field) \(text.excerpt()) is not a date; write YYYY-MM-DD",
                errors: [Problem.Item(field: field, message: "is not a date (YYYY-MM-DD)")])
        }
        if let problem = date.implausibility(field: field) {
            throw Problem(.unprocessableContent, problem, errors: [Problem.Item(field: field, message: problem)])
        }
        return date
    }

    /// A query parameter, checked by `parse`; a bad value is a 400 naming the parameter.
    static func query<T>(
        _ request: Request, _ name: String, _ expected: String, _ parse: (String) -> T?
    ) throws -> T? {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        guard let value = parse(text) else {
            throw Problem(
                .badRequest, "query parameter \(name) must be \(expected), not \(text.excerpt())",
                errors: [Problem.Item(field: name, message: "must be \(expected)")])
        }
        return value
    }
}

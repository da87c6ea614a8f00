import CharterDomain
import CharterStore
import Foundation
import Hummingbird
public import PGClient

extension CharterAPI {
    /// The API's public routes: the register of signatories, for procurement checks, and the charter's
    /// outcomes.
    public static func publicRoutes(pool: PGPool) -> [PublicRoute] {
        registerRoutes(pool: pool) + outcomeRoutes(pool: pool)
    }

    /// The public register (SPEC §10): the list, with search, and one signatory by company number.
    static func registerRoutes(pool: PGPool) -> [PublicRoute] {
        let register = RegisterStore(pool: pool)
        return [
            PublicRoute(.get, "/v1/register") { request, _ in
                let today = CalendarDate(Date(), in: .europeLondon)
                let search = FormQuery(request)["q"].map {
                    String($0.prefix(ListQuery.maximumFilterLength))
                }
                let entries = try await register.entries(on: today, search: search?.isEmpty == false ? search : nil)
                return try APIJSON.response(RegisterListing(asOf: today, count: entries.count, employers: entries))
            },
            PublicRoute(.get, "/v1/register/{company_number}") { _, context in
                // The router hands the path segment over still percent-encoded (`sc%20123%20456`).
                let raw = context.parameters.get("company_number") ?? ""
                let text = raw.removingPercentEncoding ?? raw
                guard let number = CompanyNumber(lookup: text) else {
                    throw Problem(
                        .badRequest,
                        "that is not a Companies House number: 8 digits, or 2 letters and 6 digits (e.g. 01234567 or SC123456)"
                    )
                }
                guard
                    let entry = try await register.entry(
                        companyNumber: number, on: CalendarDate(Date(), in: .europeLondon))
                else {
                    throw Problem(
                        .notFound,
                        "no employer with company number \(number) has a pledge to the charter in force today, so it is not a signatory"
                    )
                }
                return try APIJSON.response(entry)
            },
        ]
    }

    /// Puts the public `routes` on `router`: no principal needed, none asked for.
    static func register(_ routes: [PublicRoute], on router: Router<CharterRequestContext>) {
        for route in routes {
            router.on(RouterPath(route.path), method: route.method) { request, context -> Response in
                try await route.handler(request, context)
            }
        }
    }

    /// `GET /v1/register`'s answer.
    struct RegisterListing: Encodable {
        var asOf: CalendarDate
        var count: Int
        var employers: [RegisterEntry]

        enum CodingKeys: String, CodingKey {
            case asOf = "as_of"
            case count, employers
        }
    }
}

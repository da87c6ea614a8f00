import CharterAccess
import CharterDomain
import CharterUseCases
import Foundation
import HTTPTypes
import Hummingbird
import PGClient

extension CharterAPI {
    /// The public route of the charter's outcomes (SPEC §11), one of `publicRoutes`.
    ///
    /// `GET /v1/outcomes?period=YYYY-Qn[&by=sector|tier]`: the period's figures (the latest counted
    /// period when none is given) with the trend, suppressed for the public, reps and employers, full
    /// for an admin or viewer token (`AccessPolicy.outcomesView`). An invalid token is still a 401
    /// (`Authentication`): a caller who meant to sign in hears that it did not work.
    static func outcomeRoutes(pool: PGPool) -> [PublicRoute] {
        let outcomes = Outcomes(pool: pool)
        return [
            PublicRoute(.get, "/v1/outcomes") { request, context -> Response in
                let period = try query(request, "period", "a quarter written YYYY-Qn", { ReportingPeriod($0) })
                let breakdown = try query(request, "by", "sector or tier", { OutcomeBreakdown(rawValue: $0) })
                guard let full = try await outcomes.report(period: period) else {
                    throw Problem(.notFound, "there are no outcome figures yet: no return has been counted")
                }
                let view = AccessPolicy.outcomesView(context.principal)
                let report = view == .full ? full : full.suppressed()
                return try APIJSON.response(
                    OutcomesDocument(report.current, breakdown: breakdown, marksSuppression: true, trend: report.trend))
            }
        ]
    }
}

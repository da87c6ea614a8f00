import CharterAccess
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import HTTPTypes
import Hummingbird
import PGClient

extension CharterAPI {
    /// The body of a flag action: a note (required to resolve, dispute or reopen, and for a comment).
    struct FlagNote: Decodable {
        var note: String?
        static let fields: Set<String> = ["note"]
    }

    /// The body of an employer's response: an explanation, optionally an action plan and its target date.
    struct FlagResponseBody: Decodable {
        var explanation: String
        var actionPlan: String?
        var targetDate: String?
        var note: String?
        static let fields: Set<String> = ["explanation", "action_plan", "target_date", "note"]
    }

    static func flagRoutes(pool: PGPool, reportQueue: ReportQueue? = nil) -> [APIRoute] {
        let flags = FlagStore(pool: pool, reportQueue: reportQueue)
        /// The flag, if the principal may see it at all (404 otherwise, as if it did not exist).
        @Sendable func visibleFlag(_ context: CharterRequestContext, _ principal: Principal, for action: Action)
            async throws -> FlagDetail
        {
            let id = try id("flag", context)
            guard let flag = try await flags.flag(id: id) else { throw Problem(.notFound, "there is no flag \(id)") }
            try APIAccess.require(
                principal, action, employerID: flag.summary.employerID, notFound: "there is no flag \(id)")
            return flag
        }
        @Sendable func shown(_ flag: FlagDetail, to principal: Principal) -> FlagDetail {
            principal.role == .rep ? flag.forReps() : flag
        }
        var routes = [
            APIRoute(.get, "/v1/flags", .readFlags, access: .filteredList) { request, _, principal in
                let filter = try flagFilter(request)
                let limit = try query(request, "limit", "a number from 1 to 500") {
                    Int($0).flatMap { (1...500).contains($0) ? $0 : nil }
                }
                let page = try await flags.list(
                    filter, visible: AccessPolicy.visibleEmployers(principal, for: .readFlags),
                    cursor: request.uri.queryParameters.get("cursor"), limit: limit ?? 50)
                return APIJSON.response(json: page.json)
            },
            APIRoute(.get, "/v1/flags/counts", .readFlags, access: .filteredList) { request, _, principal in
                let counts = try await flags.counts(
                    try flagFilter(request), visible: AccessPolicy.visibleEmployers(principal, for: .readFlags))
                return try APIJSON.response(counts)
            },
            APIRoute(.get, "/v1/flags/{flag}", .readFlags, access: .lookedUp) { _, context, principal in
                try APIJSON.response(shown(try await visibleFlag(context, principal, for: .readFlags), to: principal))
            },
        ]
        let actions: [(FlagAction, Action)] = [
            (.acknowledge, .acknowledgeFlag), (.resolve, .resolveFlag), (.reopen, .reopenFlag),
            (.comment, .commentOnFlag), (.dispute, .disputeFlag), (.respond, .respondToFlag),
        ]
        for (flagAction, action) in actions {
            routes.append(
                APIRoute(.post, "/v1/flags/{flag}/\(flagAction.rawValue)", action, access: .lookedUp) {
                    request, context, principal in
                    // Who may do this to whose flag first; only then what the body says.
                    let flag = try await visibleFlag(context, principal, for: action)
                    guard let role = principal.flagActorRole else {
                        throw Problem(.forbidden, "a \(principal.role.rawValue) cannot act on flags")
                    }
                    var note: String?
                    var response: FlagResponse?
                    if flagAction == .respond {
                        let body = try await APIJSON.decode(
                            FlagResponseBody.self, from: request, context: context, fields: FlagResponseBody.fields)
                        let target = try body.targetDate.map { try date($0, field: "target_date") }
                        response = FlagResponse(
                            explanation: body.explanation, actionPlan: body.actionPlan, targetDate: target)
                        note = body.note ?? body.explanation
                    } else {
                        note = try await APIJSON.decodeOptional(
                            FlagNote.self, from: request, context: context, fields: FlagNote.fields
                        ).note
                    }
                    let updated = try await flags.act(
                        flagAction, on: flag.summary.id, role: role, actor: principal.actor, note: note,
                        response: response)
                    return try APIJSON.response(shown(updated, to: principal))
                })
        }
        return routes
    }

    /// The list filters from the query: employer, standard, severity, state, period.
    static func flagFilter(_ request: Request) throws -> FlagStore.Filter {
        FlagStore.Filter(
            employerID: try query(request, "employer", "an employer id") { Int64($0) },
            standardID: request.uri.queryParameters.get("standard"),
            severity: try query(request, "severity", "one of critical, breach, warning, info") {
                Severity(rawValue: $0)
            },
            state: try query(
                request, "state", "one of open, acknowledged, disputed, resolved, cleared, waived"
            ) { FlagState(rawValue: $0) },
            period: try query(request, "period", "a period (YYYY-Qn)") { ReportingPeriod($0) })
    }

}

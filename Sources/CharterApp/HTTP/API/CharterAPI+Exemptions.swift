import CharterAccess
import CharterDomain
import CharterStore
import Foundation
import HTTPTypes
import Hummingbird
import PGClient

extension CharterAPI {
    struct NewExemption: Decodable {
        var employerId: Int64
        var standardId: String
        var reason: String
        var expiresOn: String
        var periodFrom: String?
        var periodTo: String?

        static let fields: Set<String> = [
            "employer_id", "standard_id", "reason", "expires_on", "period_from", "period_to",
        ]
    }

    static func exemptionRoutes(pool: PGPool) -> [APIRoute] {
        let exemptions = ExemptionStore(pool: pool)
        return [
            APIRoute(.get, "/v1/exemptions", .readExemptions, access: .filteredList) { request, _, principal in
                let employerID = try query(request, "employer", "an employer id", { Int64($0) })
                let visible = AccessPolicy.visibleEmployers(principal, for: .readExemptions)
                let all = try await exemptions.list(employerID: employerID)
                return try APIJSON.response(["exemptions": all.filter { visible.contains($0.employerID) }])
            },
            APIRoute(.post, "/v1/exemptions", .writeExemptions, access: .lookedUp) { request, context, principal in
                let new = try await APIJSON.decode(
                    NewExemption.self, from: request, context: context, fields: NewExemption.fields)
                try APIAccess.require(
                    principal, .writeExemptions, employerID: new.employerId,
                    notFound: "there is no employer \(new.employerId)")
                func period(_ text: String?, _ field: String) throws -> ReportingPeriod? {
                    guard let text else { return nil }
                    guard let period = ReportingPeriod(text) else {
                        throw Problem(
                            .unprocessableContent, "\(field) \(text.excerpt()) is not a period; write YYYY-Qn",
                            errors: [Problem.Item(field: field, message: "is not a period (YYYY-Qn)")])
                    }
                    return period
                }
                let expires = try date(new.expiresOn, field: "expires_on")
                let added = try await exemptions.add(
                    employerID: new.employerId, standardID: new.standardId,
                    periodFrom: try period(new.periodFrom, "period_from"),
                    periodTo: try period(new.periodTo, "period_to"),
                    reason: new.reason, expiresOn: expires, actor: principal.actor)
                return try APIJSON.response(added, status: .created)
            },
            APIRoute(.post, "/v1/exemptions/{exemption}/revoke", .writeExemptions, access: .lookedUp) {
                _, context, principal in
                let id = try id("exemption", context)
                guard let exemption = try await exemptions.find(id: id) else {
                    throw Problem(.notFound, "there is no exemption \(id)")
                }
                try APIAccess.require(
                    principal, .writeExemptions, employerID: exemption.employerID,
                    notFound: "there is no exemption \(id)")
                return try APIJSON.response(try await exemptions.revoke(id: id, actor: principal.actor))
            },
        ]
    }
}

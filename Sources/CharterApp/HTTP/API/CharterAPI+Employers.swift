import CharterAccess
import CharterDomain
import CharterStore
import Foundation
import HTTPTypes
import Hummingbird
import PGClient

extension CharterAPI {
    /// A new employer as the API takes it.
    struct NewEmployer: Decodable {
        var name: String
        var companyNumber: String?
        var sector: Sector?
        var hasLondonWorkplaces: Bool?
        var address: String?
        var postcode: String?

        static let fields: Set<String> = [
            "name", "company_number", "sector", "has_london_workplaces", "address", "postcode",
        ]
    }

    static func employerRoutes(pool: PGPool) -> [APIRoute] {
        let employers = EmployerStore(pool: pool)
        return [
            APIRoute(.get, "/v1/employers", .readEmployers, access: .filteredList) { request, _, principal in
                let search = request.uri.queryParameters.get("search")
                let all = try await employers.list(search: search)
                let visible = AccessPolicy.visibleEmployers(principal, for: .readEmployers)
                return try APIJSON.response(["employers": all.filter { $0.id.map(visible.contains) ?? false }])
            },
            APIRoute(.post, "/v1/employers", .writeEmployers, access: .service) { request, context, principal in
                let new = try await APIJSON.decode(
                    NewEmployer.self, from: request, context: context, fields: NewEmployer.fields)
                guard !new.name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                    throw Problem(
                        .unprocessableContent, "an employer needs a name",
                        errors: [Problem.Item(field: "name", message: "is empty")])
                }
                var number: CompanyNumber?
                if let text = new.companyNumber {
                    guard let parsed = CompanyNumber(text) else {
                        throw Problem(
                            .unprocessableContent,
                            "company_number \(text) is not a Companies House number (8 characters, e.g. 01234567 or SC123456)",
                            errors: [Problem.Item(field: "company_number", message: "is not a company number")])
                    }
                    number = parsed
                }
                let added = try await employers.add(
                    Employer(
                        name: new.name, companyNumber: number, sector: new.sector ?? .private,
                        hasLondonWorkplaces: new.hasLondonWorkplaces ?? false, address: new.address,
                        postcode: new.postcode),
                    actor: principal.actor)
                return try APIJSON.response(added, status: .created)
            },
            APIRoute(.get, "/v1/employers/{employer}", .readEmployers) { _, context, _ in
                let id = try id("employer", context)
                guard let employer = try await employers.find(id: id) else {
                    throw Problem(.notFound, "there is no employer \(id)")
                }
                return try APIJSON.response(employer)
            },
            APIRoute(.get, "/v1/employers/{employer}/pledges", .readPledges) { _, context, _ in
                let id = try id("employer", context)
                return try APIJSON.response(["pledges": try await PledgeStore(pool: pool).list(employerID: id)])
            },
        ]
    }
}

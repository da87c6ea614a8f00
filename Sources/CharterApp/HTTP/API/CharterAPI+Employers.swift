import CharterAccess
import CharterDomain
import CharterStore
import Foundation
import HTTPTypes
import Hummingbird
import Mail
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

    /// A new contact as the API takes it.
    struct NewContact: Decodable {
        var name: String
        var email: String
        var role: String?
        static let fields: Set<String> = ["name", "email", "role"]
    }

    /// A new pledge as the API takes it; `overrides` is read from the body's object (any shape of JSON
    /// object, checked against the charter version by the store).
    struct NewPledge: Decodable {
        var tier: String
        var livingHours: Bool?
        var validFrom: String
        var validTo: String?
        var charterVersion: String?
        static let fields: Set<String> = [
            "tier", "living_hours", "valid_from", "valid_to", "charter_version", "overrides",
        ]
    }

    static func pledgeOverrides(in object: [String: Any]) throws -> PledgeOverrides {
        guard let raw = object["overrides"], !(raw is NSNull) else { return PledgeOverrides() }
        guard raw is [String: Any], let data = try? JSONSerialization.data(withJSONObject: raw) else {
            throw Problem(
                .unprocessableContent,
                #"overrides must be a JSON object, e.g. {"hours.zero-hours-share": {"threshold_percent": 3}}"#,
                errors: [Problem.Item(field: "overrides", message: "is not a JSON object")])
        }
        do {
            return try PledgeOverrides(json: data)
        } catch {
            throw Problem(
                .unprocessableContent, error.message, errors: [Problem.Item(field: "overrides", message: error.message)]
            )
        }
    }

    static func employerRoutes(pool: PGPool) -> [APIRoute] {
        let employers = EmployerStore(pool: pool)
        return [
            APIRoute(.get, "/v1/employers", .readEmployers, access: .filteredList) { request, _, principal in
                let search = FormQuery(request)["search"].map { String($0.prefix(ListQuery.maximumFilterLength)) }
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
                            "company_number \(text.excerpt()) is not a Companies House number (8 characters, e.g. 01234567 or SC123456)",
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
            APIRoute(.post, "/v1/employers/{employer}/pledges", .writePledges) { request, context, principal in
                let id = try id("employer", context)
                let (new, object) = try await APIJSON.decodeWithObject(
                    NewPledge.self, from: request, context: context, fields: NewPledge.fields)
                guard let tier = Tier(rawValue: new.tier) else {
                    throw Problem(
                        .unprocessableContent, "tier \(new.tier.excerpt()) is not a tier; write aspiring or accredited",
                        errors: [Problem.Item(field: "tier", message: "is not aspiring or accredited")])
                }
                let from = try date(new.validFrom, field: "valid_from")
                let to = try new.validTo.map { try date($0, field: "valid_to") }
                let pledge = try await PledgeStore(pool: pool).add(
                    employerID: id, tier: tier, livingHours: new.livingHours ?? false,
                    overrides: try pledgeOverrides(in: object), validFrom: from, validTo: to,
                    charterVersion: new.charterVersion, actor: principal.actor)
                return try APIJSON.response(pledge, status: .created)
            },
            APIRoute(.get, "/v1/employers/{employer}/contacts", .readContacts) { _, context, _ in
                let id = try id("employer", context)
                guard try await employers.find(id: id) != nil else {
                    throw Problem(.notFound, "there is no employer \(id)")
                }
                return try APIJSON.response(["contacts": try await employers.contacts(employerID: id)])
            },
            APIRoute(.post, "/v1/employers/{employer}/contacts", .writeContacts) { request, context, principal in
                let id = try id("employer", context)
                let new = try await APIJSON.decode(
                    NewContact.self, from: request, context: context, fields: NewContact.fields)
                let name = new.name.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !name.isEmpty else {
                    throw Problem(
                        .unprocessableContent, "a contact needs a name",
                        errors: [Problem.Item(field: "name", message: "is empty")])
                }
                // The store refuses it too; checked here first to say which field and why. (The name needs no
                // such check: the renderer writes any name on one line.)
                // Limits first, so a 300-character address hears about its length, not its syntax.
                try TextField.contactName.check(name)
                try TextField.email.check(new.email)
                try TextField.contactRole.check(new.role)
                do throws(MailError) {
                    _ = try MailAddress(address: new.email)
                } catch {
                    throw Problem(
                        .unprocessableContent, "email \(new.email.excerpt()) cannot be mailed to. \(error.message)",
                        errors: [Problem.Item(field: "email", message: error.message)])
                }
                let role = new.role.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap {
                    $0.isEmpty ? nil : $0
                }
                let contactID = try await employers.addContact(
                    employerID: id, name: name, email: new.email, role: role, actor: principal.actor)
                return try APIJSON.response(
                    EmployerContact(id: contactID, employerID: id, name: name, email: new.email, role: role),
                    status: .created)
            },
        ]
    }
}

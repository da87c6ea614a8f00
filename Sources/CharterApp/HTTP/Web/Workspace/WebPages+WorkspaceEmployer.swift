import CharterAccess
import CharterDomain
import CharterStore
import Foundation
import HTTPTypes
import Hummingbird
import PGClient

extension WebPages {
    /// Which form of an employer's page was refused, so the page shows its errors beside it.
    enum EmployerForm: String {
        case details, contact, pledge
    }

    /// One employer in the workspace: its details (edit), contacts (add, remove), pledges (add with
    /// overrides, end with a confirmation step), and links to its returns and flags.
    static func registerWorkspaceEmployer(on group: RouterGroup<CharterRequestContext>, services: WorkspaceServices) {
        let pool = services.pool
        group.get("/admin/employers/:employer") { _, context -> Response in
            _ = try Workspace.require(.readEmployers, context: context)
            return try await employerWorkspacePage(try CharterAPI.id("employer", context), context: context, pool: pool)
        }
        group.post("/admin/employers/:employer") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let id = try CharterAPI.id("employer", context)
            let principal = try Workspace.require(.writeEmployers, employerID: id, context: context)
            var errors = FormErrors()
            if let details = readEmployerDetails(form, errors: &errors) {
                do {
                    _ = try await EmployerStore(pool: pool).update(
                        id: id, name: details.name, companyNumber: details.companyNumber, sector: details.sector,
                        hasLondonWorkplaces: details.london, actor: principal.actor)
                    return Workspace.redirect(
                        to: "/admin/employers/\(id)", notice: WorkspaceNotice(.employerUpdated, id))
                } catch let error as CharterStoreError where error.code == .conflict {
                    errors.add("company_number", sentence(error.message))
                } catch let error as CharterDomainError {
                    errors.add(error.field == "name" ? "name" : "company_number", sentence(error.message))
                }
            }
            return try await employerWorkspacePage(
                id, context: context, pool: pool, refused: (.details, form, errors))
        }
        group.post("/admin/employers/:employer/contacts") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let id = try CharterAPI.id("employer", context)
            let principal = try Workspace.require(.writeContacts, employerID: id, context: context)
            var errors = FormErrors()
            let name = form["contact_name"]
            let email = form["contact_email"]
            if name == nil { errors.add("contact_name", "Enter the contact's name.") }
            if email == nil { errors.add("contact_email", "Enter the contact's email address.") }
            if let name, let email {
                do {
                    _ = try await EmployerStore(pool: pool).addContact(
                        employerID: id, name: name, email: email, role: form["contact_role"], actor: principal.actor)
                    return Workspace.redirect(
                        to: "/admin/employers/\(id)", notice: WorkspaceNotice(.contactAdded, id))
                } catch let error as CharterStoreError where error.code == .invalid {
                    errors.add("contact_email", sentence(error.message))
                } catch let error as CharterDomainError {
                    let field =
                        error.field == "name"
                        ? "contact_name" : error.field == "role" ? "contact_role" : "contact_email"
                    errors.add(field, sentence(error.message))
                }
            }
            return try await employerWorkspacePage(
                id, context: context, pool: pool, refused: (.contact, form, errors))
        }
        group.post("/admin/employers/:employer/contacts/:contact/remove") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let id = try CharterAPI.id("employer", context)
            let principal = try Workspace.require(.writeContacts, employerID: id, context: context)
            let contact = try CharterAPI.id("contact", context)
            try await EmployerStore(pool: pool).removeContact(
                employerID: id, contactID: contact, actor: principal.actor)
            return Workspace.redirect(
                to: "/admin/employers/\(id)", notice: WorkspaceNotice(.contactRemoved, id))
        }
        group.post("/admin/employers/:employer/pledges") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let id = try CharterAPI.id("employer", context)
            let principal = try Workspace.require(.writePledges, employerID: id, context: context)
            var errors = FormErrors()
            let tier = form["tier"].flatMap(Tier.init(rawValue:))
            if tier == nil { errors.add("tier", "Choose the tier: aspiring or accredited.") }
            let from = form["valid_from"].flatMap { CalendarDate(iso: $0) }
            if from == nil {
                errors.add("valid_from", "Enter the day the pledge starts as a date, e.g. 2027-01-01.")
            }
            var overrides = PledgeOverrides()
            if let from {
                let version = try await CharterVersionStore(pool: pool).publishedVersion(inForceOn: from)
                if let version {
                    overrides = readOverrides(form, errors: &errors)
                    for problem in overrides.problems(against: version.defaults) {
                        errors.add(
                            overrideField(problem.standardID, problem.parameter ?? ""),
                            "This override is refused: \(problem.message).")
                    }
                } else {
                    errors.add("valid_from", "No published charter version is in force on \(from); choose a later day.")
                }
            }
            if errors.isEmpty, let tier, let from {
                do {
                    _ = try await PledgeStore(pool: pool).add(
                        employerID: id, tier: tier, livingHours: form["living_hours"] == "yes", overrides: overrides,
                        validFrom: from, validTo: nil, actor: principal.actor)
                    return Workspace.redirect(
                        to: "/admin/employers/\(id)", notice: WorkspaceNotice(.pledgeAdded, id))
                } catch let error as CharterStoreError where error.code == .conflict || error.code == .invalid {
                    errors.add("valid_from", sentence(error.message))
                }
            }
            return try await employerWorkspacePage(
                id, context: context, pool: pool, refused: (.pledge, form, errors))
        }
        group.post("/admin/employers/:employer/pledges/:pledge/end") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let id = try CharterAPI.id("employer", context)
            let principal = try Workspace.require(.writePledges, employerID: id, context: context)
            let pledge = try CharterAPI.id("pledge", context)
            guard let day = form["ends_on"].flatMap({ CalendarDate(iso: $0) }) else {
                throw Problem(
                    .unprocessableContent,
                    "Say the first day the pledge no longer applies as a date, e.g. 2027-04-01; nothing was changed.")
            }
            guard form["confirm"] == "yes" else {
                let employer = try await EmployerStore(pool: pool).find(id: id)
                return Workspace.confirm(
                    title: "End this pledge?",
                    sentence:
                        "Pledge \(pledge) of \(employer?.name ?? "employer \(id)") will stop applying on"
                        + " \(WebPage.date(day)): returns for later periods are no longer judged against it. An"
                        + " ended pledge cannot be reopened; a new pledge can be added.",
                    action: "/admin/employers/\(id)/pledges/\(pledge)/end", fields: ["ends_on": day.description],
                    button: "End the pledge", cancel: "/admin/employers/\(id)#pledges", section: "/admin/employers",
                    context: context)
            }
            _ = try await PledgeStore(pool: pool).end(id: pledge, employerID: id, on: day, actor: principal.actor)
            return Workspace.redirect(to: "/admin/employers/\(id)", notice: WorkspaceNotice(.pledgeEnded, id))
        }
    }

    /// The id of an override's field: `override-<standard>-<parameter>`.
    static func overrideField(_ standardID: String, _ parameter: String) -> String {
        "override-\(standardID)-\(parameter)"
    }

    /// The overrides typed in the pledge form: a number for a threshold, a comma-separated list of contract
    /// types for a list; blanks left out. A value that is no number is an error on its field.
    static func readOverrides(_ form: WebForm, errors: inout FormErrors) -> PledgeOverrides {
        var values: [String: [String: ParameterValue]] = [:]
        for parameter in StandardParameter.all {
            let field = overrideField(parameter.standardID, parameter.name)
            guard let text = form[field] else { continue }
            switch parameter.tightening {
            case .subset:
                let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                    !$0.isEmpty
                }
                values[parameter.standardID, default: [:]][parameter.name] = .list(items)
            case .lower, .higher:
                // The whole text a plain decimal: `Decimal(string:)` alone reads "1.2.3" as 1.2.
                guard text.wholeMatch(of: /-?[0-9]+(\.[0-9]+)?/) != nil,
                    let number = Decimal(string: text, locale: Locale(identifier: "en_GB"))
                else {
                    errors.add(
                        field,
                        "\(parameter.standardID) \(parameter.name) must be a number, like 3 or 2.5, not \"\(text.excerpt())\"."
                    )
                    continue
                }
                values[parameter.standardID, default: [:]][parameter.name] = .number(number)
            }
        }
        return PledgeOverrides(values)
    }

    /// The employer's page in the workspace; `refused` is a form that came back with errors.
    static func employerWorkspacePage(
        _ id: Int64, context: CharterRequestContext, pool: PGPool,
        refused: (form: EmployerForm, values: WebForm, errors: FormErrors)? = nil
    ) async throws -> Response {
        guard let employer = try await EmployerStore(pool: pool).find(id: id) else {
            throw Problem(.notFound, "There is no employer \(id).")
        }
        let today = WorkspaceOps.today
        let pledges = try await PledgeStore(pool: pool).list(employerID: id)
        let version = try await CharterVersionStore(pool: pool).publishedVersion(inForceOn: today)
        let defaults = version?.defaults ?? [:]
        var detailValues: [String: String] = [
            "name": employer.name, "company_number": employer.companyNumber?.value ?? "",
            "sector": employer.sector.rawValue, "london": employer.hasLondonWorkplaces ? "yes" : "",
        ]
        var otherValues: [String: String] = ["tier": "aspiring", "valid_from": today.description]
        if let refused {
            if refused.form == .details {
                detailValues = refused.values.fields
            } else {
                otherValues = refused.values.fields
            }
        }
        let chosenSector = detailValues["sector"] ?? ""
        let chosenTier = otherValues["tier"] ?? ""
        var data: [String: Any] = [
            "id": id, "name": employer.name, "companyNumber": employer.companyNumber?.value ?? "none",
            "sectorName": employer.sector.rawValue, "londonText": employer.hasLondonWorkplaces ? "yes" : "no",
            "gpgID": employer.gpgEmployerID.map(String.init) ?? "none", "sizeBand": employer.sizeBand ?? "not known",
            "detailValues": detailValues, "values": otherValues,
            "londonChecked": detailValues["london"] == "yes",
            "livingHoursChecked": otherValues["living_hours"] == "yes",
            "sectors": Sector.allCases.map {
                ["value": $0.rawValue, "selected": chosenSector == $0.rawValue] as [String: Any]
            },
            "tiers": Tier.allCases.map {
                ["value": $0.rawValue, "selected": chosenTier == $0.rawValue] as [String: Any]
            },
            "contacts": try await EmployerStore(pool: pool).contacts(employerID: id).map {
                (["contactID": $0.id, "name": $0.name, "email": $0.email] as [String: Any]).with("role", $0.role)
            },
            "pledges": pledges.map { pledge -> [String: Any] in
                let running = pledge.validTo.map { $0 > today } ?? true
                return [
                    "pledgeID": pledge.id, "tier": pledge.tier, "livingHours": pledge.livingHours ? "yes" : "no",
                    "version": pledge.charterVersion, "from": WebPage.date(pledge.validFrom),
                    "to": pledge.validTo.map(WebPage.date) ?? "open-ended",
                    "overrides": pledge.overrides == "{}" ? "none" : pledge.overrides,
                    "canEnd": running && pledge.validFrom < today, "endsOn": today.description,
                ]
            },
            "versionLabel": version?.label ?? "none published",
            "overrides": StandardParameter.all.filter { defaults[$0.standardID] != nil }.map {
                parameter -> [String: Any] in
                let field = overrideField(parameter.standardID, parameter.name)
                let charterValue = defaults[parameter.standardID]?.parameters[parameter.name]
                let direction =
                    switch parameter.tightening {
                    case .lower: "lower is stricter"
                    case .higher: "higher is stricter"
                    case .subset: "a comma-separated list of contract types; fewer is stricter"
                    }
                var row: [String: Any] = [
                    "field": field, "standard": parameter.standardID, "parameter": parameter.name,
                    "hint": "The charter's value is \(charterValue?.description ?? "not set"); \(direction).",
                    "value": otherValues[field] ?? "",
                ]
                if let message = refused?.errors.entries.first(where: { $0.field == field })?.message {
                    row["error"] = message
                }
                return row
            },
            "returnsHref": "/employers/\(id)", "flagsHref": "/flags?employer=\(id)",
        ]
        // Left out when there is none: an empty string would still open `{{#address}}`.
        data.setIfPresent("address", [employer.address, employer.postcode].compactMap { $0 }.joined(separator: ", "))
        var status = HTTPResponse.Status.ok
        if let refused, !refused.errors.isEmpty {
            status = .unprocessableContent
            data.merge(refused.errors.templateData) { _, new in new }
        }
        return Workspace.render(
            "workspace-employer", data, section: "/admin/employers", change: .writeEmployers, context: context,
            status: status)
    }
}

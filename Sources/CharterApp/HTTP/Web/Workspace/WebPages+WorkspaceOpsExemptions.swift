import CharterAccess
import CharterDomain
import CharterStore
import Foundation
import HTTPTypes
import Hummingbird

extension WebPages {
    /// `/admin/exemptions`: exemptions listed and filtered, granted with a form, revoked after a
    /// confirmation; each with the flags it waives. Through `ExemptionStore`, as the API.
    static func registerWorkspaceOpsExemptions(
        on group: RouterGroup<CharterRequestContext>, services: WorkspaceServices
    ) {
        let pool = services.pool
        let store = ExemptionStore(pool: pool)
        group.get("/admin/exemptions") { request, context -> Response in
            _ = try Workspace.require(.readExemptions, context: context)
            return try await exemptionsPage(
                ListQuery(request, filters: ["employer", "standard", "status"]), store: store,
                employers: EmployerStore(pool: pool), context: context)
        }
        group.post("/admin/exemptions") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let principal = try Workspace.require(.writeExemptions, context: context)
            var errors = FormErrors()
            let typed = try await typedEmployer(
                form["employer"], pool: pool,
                missing: "Enter the company number or name of the employer the exemption is for.")
            if let refusal = typed.refusal { errors.add("employer", refusal) }
            let employerID = typed.id
            let standard = form["standard_id"]
            if standard.map({ !ComplianceRules.standardIDs.contains($0) }) ?? true {
                errors.add("standard_id", "Choose the standard the exemption waives.")
            }
            func period(_ field: String, _ label: String) -> ReportingPeriod? {
                guard let text = form[field] else { return nil }
                guard let period = ReportingPeriod(text) else {
                    errors.add(field, "\(label) must be a period like 2026-Q1.")
                    return nil
                }
                return period
            }
            let from = period("period_from", "The first period")
            let to = period("period_to", "The last period")
            if let from, let to, to < from { errors.add("period_to", "The last period must not be before the first.") }
            let reason = form["reason"]
            if reason == nil { errors.add("reason", "Enter the reason for the exemption.") }
            let expires = WorkspaceOps.date(form["expires_on"])
            if expires == nil {
                errors.add("expires_on", "Enter the date the exemption expires, like 2027-03-31.")
            } else if let expires, expires < WorkspaceOps.today {
                errors.add("expires_on", "The expiry date must not be in the past.")
            }
            if errors.isEmpty, let employerID, let standard, let reason, let expires {
                do {
                    try Workspace.requireEmployer(principal, .writeExemptions, employerID)
                    let added = try await store.add(
                        employerID: employerID, standardID: standard, periodFrom: from, periodTo: to, reason: reason,
                        expiresOn: expires, actor: principal.actor)
                    return Workspace.redirect(
                        to: "/admin/exemptions", notice: WorkspaceNotice(.exemptionGranted, added.id))
                } catch let error as CharterStoreError where error.code == .invalid {
                    errors.add("reason", WorkspaceOps.sentence(error))
                }
            }
            return try await exemptionsPage(
                ListQuery(request, filters: []), store: store, employers: EmployerStore(pool: pool),
                context: context, errors: errors, values: form.fields.filter { $0.key != "csrf_token" })
        }
        group.post("/admin/exemptions/:exemption/revoke") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let principal = try Workspace.require(.writeExemptions, context: context)
            let id = try CharterAPI.id("exemption", context)
            guard let exemption = try await store.find(id: id) else {
                throw Problem(.notFound, "There is no exemption \(id).")
            }
            try Workspace.requireEmployer(principal, .writeExemptions, exemption.employerID)
            guard exemption.revokedAt == nil else {
                throw Problem(.conflict, "Exemption \(id) is already revoked.")
            }
            guard form["confirm"] == "yes" else {
                let name = try await EmployerStore(pool: pool).find(id: exemption.employerID)?.name ?? "the employer"
                return Workspace.confirm(
                    title: "Revoke exemption \(id)?",
                    sentence:
                        "\(name) will no longer be exempt from \(exemption.standardID). The next nightly run reopens"
                        + " the flags it waives. This cannot be undone; a new exemption would have to be granted.",
                    action: "/admin/exemptions/\(id)/revoke", button: "Revoke the exemption",
                    cancel: "/admin/exemptions", section: "/admin/exemptions", context: context)
            }
            _ = try await store.revoke(id: id, actor: principal.actor)
            return Workspace.redirect(to: "/admin/exemptions", notice: WorkspaceNotice(.exemptionRevoked, id))
        }
    }

    /// Whether an exemption is in force, revoked or expired on `today`.
    static func exemptionStatus(_ exemption: Exemption, today: CalendarDate) -> String {
        if exemption.revokedAt != nil { return "revoked" }
        return exemption.expiresOn < today ? "expired" : "in-force"
    }

    static func exemptionsPage(
        _ query: ListQuery, store: ExemptionStore, employers employerStore: EmployerStore,
        context: CharterRequestContext, errors: FormErrors = FormErrors(), values: [String: String] = [:]
    ) async throws -> Response {
        let today = WorkspaceOps.today
        let employerFilter = query["employer"].flatMap { Int64($0) }
        // Exemptions are few (a panel's decisions); the employer filter offers the employers that have one,
        // named without reading every employer.
        let everything = try await store.list()
        let employers = try await employerStore.names(of: everything.map(\.employerID))
        let all = everything.filter { exemption in
            (employerFilter.map { $0 == exemption.employerID } ?? true)
                && (query["standard"].map { $0 == exemption.standardID } ?? true)
                && (query["status"].map { $0 == exemptionStatus(exemption, today: today) } ?? true)
        }
        let shown = Array(all.dropFirst(query.offset).prefix(ListQuery.pageSize))
        var rows: [[String: Any]] = []
        for exemption in shown {
            let status = exemptionStatus(exemption, today: today)
            let periods: String =
                switch (exemption.periodFrom, exemption.periodTo) {
                case (nil, nil): "every period"
                case (let from?, nil): "from \(from)"
                case (nil, let to?): "up to \(to)"
                case (let from?, let to?): from == to ? from : "\(from) to \(to)"
                }
            var row: [String: Any] = [
                "id": exemption.id, "employerID": exemption.employerID,
                "employer": employers[exemption.employerID] ?? "employer \(exemption.employerID)",
                "standard": exemption.standardID, "periods": periods, "reason": exemption.reason,
                "expires": WebPage.date(exemption.expiresOn),
                "status": ["in-force": "In force", "revoked": "Revoked", "expired": "Expired"][status] ?? status,
                "grantedBy": exemption.grantedBy,
                "waived": try await store.waivedFlags(exemption).map {
                    ["id": $0.id, "label": "\($0.period)\($0.subject.isEmpty ? "" : " (\($0.subject))")"]
                        as [String: Any]
                },
            ]
            if status == "in-force" { row["revocable"] = true }
            rows.append(row)
        }
        let employerChoices = employers.sorted { $0.value < $1.value }.map { (value: String($0.key), label: $0.value) }
        let standardChoices = ComplianceRules.standardIDs.map { (value: $0, label: $0) }
        func chosen(_ choices: [(value: String, label: String)], _ value: String?) -> [[String: Any]] {
            choices.map { choice in
                var option: [String: Any] = ["value": choice.value, "label": choice.label]
                if choice.value == value { option["selected"] = true }
                return option
            }
        }
        var data: [String: Any] = [
            "exemptions": rows,
            "paging": query.paging("/admin/exemptions", shown: shown.count, total: all.count),
            "filter": query.values,
            "employerFilter": query.options("employer", employerChoices),
            "standardFilter": query.options("standard", standardChoices),
            "statusFilter": query.options(
                "status", [("in-force", "In force"), ("revoked", "Revoked"), ("expired", "Expired")]),
            "standardChoices": chosen(standardChoices, values["standard_id"]),
            "values": values,
        ]
        data.merge(errors.templateData) { _, new in new }
        return Workspace.render(
            "workspace-exemptions", data, section: "/admin/exemptions", change: .writeExemptions, context: context,
            status: errors.isEmpty ? .ok : .unprocessableContent)
    }
}

extension Workspace {
    /// Refuses with 403 and the policy's sentence unless `principal` may do `action` for `employerID`.
    static func requireEmployer(_ principal: Principal, _ action: Action, _ employerID: Int64) throws {
        if case .denied(let reason) = AccessPolicy.decide(principal, action, employerID: employerID) {
            throw Problem(.forbidden, reason)
        }
    }
}

import CharterAccess
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import HTTPTypes
import Hummingbird
import PGClient

extension WebPages {
    /// `/admin/charter`: the charter versions with each standard's parameters and per-tier severity; a
    /// draft copied from a version, its parameters changed a standard at a time, previewed over past
    /// returns (`RulesPreview`) and published after a confirmation (immutable afterwards); the rates and
    /// the bank holidays, listed and added to.
    static func registerWorkspaceOpsCharter(on group: RouterGroup<CharterRequestContext>, services: WorkspaceServices) {
        let pool = services.pool
        let versions = CharterVersionStore(pool: pool)
        group.get("/admin/charter") { _, context -> Response in
            _ = try Workspace.require(.readCharterVersions, context: context)
            return try await charterPage(pool: pool, context: context)
        }
        group.post("/admin/charter/drafts") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let principal = try Workspace.require(.writeCharterVersions, context: context)
            var errors = FormErrors()
            let source = form["source"].flatMap { Int64($0) }
            if source == nil { errors.add("source", "Choose the version to copy.") }
            let label = form["label"]
            if label == nil { errors.add("label", "Enter a name for the new version.") }
            let from = WorkspaceOps.date(form["effective_from"])
            if from == nil { errors.add("effective_from", "Enter the day the version takes effect, like 2027-04-01.") }
            if errors.isEmpty, let source, let label, let from {
                do {
                    let id = try await versions.createDraft(
                        copying: source, label: label, effectiveFrom: from, actor: principal.actor)
                    return Workspace.redirect(to: "/admin/charter/\(id)", notice: WorkspaceNotice(.draftCreated, id))
                } catch let error as CharterStoreError where error.code != .auditKey {
                    errors.add(error.code == .notFound ? "source" : "label", WorkspaceOps.sentence(error))
                }
            }
            return try await charterPage(pool: pool, context: context, errors: errors, values: form.fields)
        }
        group.post("/admin/charter/rates/rlw") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let principal = try Workspace.require(.writeCharterVersions, context: context)
            var errors = FormErrors()
            let year = form["rlw_year"]
            if year.map({ $0.wholeMatch(of: /[0-9]{4}-[0-9]{2}/) == nil }) ?? true {
                errors.add("rlw_year", "Enter the rate year like 2026-27.")
            }
            let uk = amount(form["rlw_uk"], field: "rlw_uk", label: "The UK rate", errors: &errors)
            let london = amount(form["rlw_london"], field: "rlw_london", label: "The London rate", errors: &errors)
            let announced = WorkspaceOps.date(form["rlw_announced"])
            if announced == nil {
                errors.add("rlw_announced", "Enter the day the rate was announced, like 2026-10-22.")
            }
            let deadline = WorkspaceOps.date(form["rlw_deadline"])
            if deadline == nil {
                errors.add("rlw_deadline", "Enter the day employers must pay it by, like 2027-05-01.")
            } else if let deadline, let announced, deadline <= announced {
                errors.add("rlw_deadline", "The deadline must be after the announcement.")
            }
            if errors.isEmpty, let year, let uk, let london, let announced, let deadline {
                do {
                    try await RateStore(pool: pool).add(
                        RealLivingWageRate(
                            rateYear: year, uk: uk, london: london, announcedOn: announced, deadline: deadline),
                        actor: principal.actor)
                    return Workspace.redirect(
                        to: "/admin/charter#rates",
                        notice: WorkspaceNotice(.rateAdded, Int64(year.prefix(4)) ?? 0))
                } catch let error as CharterStoreError where error.code != .auditKey {
                    errors.add("rlw_year", WorkspaceOps.sentence(error))
                }
            }
            return try await charterPage(pool: pool, context: context, errors: errors, values: form.fields)
        }
        group.post("/admin/charter/rates/nmw") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let principal = try Workspace.require(.writeCharterVersions, context: context)
            var errors = FormErrors()
            let from = WorkspaceOps.date(form["nmw_from"])
            if from == nil { errors.add("nmw_from", "Enter the day the rates take effect, like 2027-04-01.") }
            var rates: [MinimumWageBand: Decimal] = [:]
            for band in MinimumWageBand.allCases {
                let field = "nmw_\(band.rawValue)"
                if let rate = amount(form[field], field: field, label: "The \(bandLabel(band)) rate", errors: &errors) {
                    rates[band] = rate
                }
            }
            if errors.isEmpty, let from {
                do {
                    try await RateStore(pool: pool).add(
                        MinimumWageRates(effectiveFrom: from, rates: rates), actor: principal.actor)
                    return Workspace.redirect(
                        to: "/admin/charter#rates", notice: WorkspaceNotice(.rateAdded, Int64(from.year)))
                } catch let error as CharterStoreError where error.code != .auditKey {
                    errors.add("nmw_from", WorkspaceOps.sentence(error))
                }
            }
            return try await charterPage(pool: pool, context: context, errors: errors, values: form.fields)
        }
        group.post("/admin/charter/bank-holidays") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let principal = try Workspace.require(.writeCharterVersions, context: context)
            var errors = FormErrors()
            let date = WorkspaceOps.date(form["holiday_date"])
            if date == nil { errors.add("holiday_date", "Enter the day of the bank holiday, like 2028-01-03.") }
            let name = form["holiday_name"]
            if name == nil { errors.add("holiday_name", "Enter the bank holiday's name.") }
            if errors.isEmpty, let date, let name {
                do {
                    try await BankHolidayStore(pool: pool).add(date: date, name: name, actor: principal.actor)
                    return Workspace.redirect(
                        to: "/admin/charter#bank-holidays", notice: WorkspaceNotice(.bankHolidayAdded))
                } catch let error as CharterStoreError where error.code != .auditKey {
                    errors.add("holiday_date", WorkspaceOps.sentence(error))
                }
            }
            return try await charterPage(pool: pool, context: context, errors: errors, values: form.fields)
        }
        group.get("/admin/charter/:version") { _, context -> Response in
            _ = try Workspace.require(.readCharterVersions, context: context)
            let id = try CharterAPI.id("version", context)
            return try await versionPage(id, store: versions, context: context)
        }
        group.post("/admin/charter/:version/standards/:standard") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let principal = try Workspace.require(.writeCharterVersions, context: context)
            let id = try CharterAPI.id("version", context)
            guard let version = try await versions.version(id: id) else {
                throw Problem(.notFound, "There is no charter version \(id).")
            }
            guard version.isDraft else {
                throw Problem(
                    .conflict,
                    "\(version.label) is published and can no longer be changed; make a draft from it instead.")
            }
            let standardID = context.parameters.get("standard") ?? ""
            guard let standard = version.standards.first(where: { $0.id == standardID }) else {
                throw Problem(.notFound, "Version \(id) has no standard \(standardID).")
            }
            var errors = FormErrors()
            var parameters: [String: ParameterValue] = [:]
            for (name, old) in standard.defaults.parameters {
                let field = fieldID(standardID, name)
                let text = form.fields[field]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                switch old {
                case .number:
                    if let number = Decimal(string: text), text.wholeMatch(of: /-?[0-9]+(\.[0-9]+)?/) != nil {
                        parameters[name] = .number(number)
                    } else {
                        errors.add(field, "\(name.replacingOccurrences(of: "_", with: " ")) must be a number, like 5.")
                    }
                case .flag:
                    parameters[name] = .flag(text == "true")
                case .list:
                    parameters[name] = .list(
                        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                            !$0.isEmpty
                        })
                case .text:
                    parameters[name] = .text(text)
                }
            }
            let aspiringField = fieldID(standardID, "severity_aspiring")
            let accreditedField = fieldID(standardID, "severity_accredited")
            let aspiring = form[aspiringField].flatMap(Severity.init(rawValue:))
            if aspiring == nil { errors.add(aspiringField, "Choose the severity for aspiring employers.") }
            let accredited = form[accreditedField].flatMap(Severity.init(rawValue:))
            if accredited == nil { errors.add(accreditedField, "Choose the severity for accredited employers.") }
            if errors.isEmpty, let aspiring, let accredited {
                do {
                    try await versions.updateStandard(
                        versionID: id, standardID: standardID, parameters: parameters, severityAspiring: aspiring,
                        severityAccredited: accredited, actor: principal.actor)
                    return Workspace.redirect(
                        to: "/admin/charter/\(id)#\(fieldID(standardID, "form"))",
                        notice: WorkspaceNotice(.draftUpdated, id))
                } catch let error as CharterStoreError where error.code == .conflict {
                    throw Problem(.conflict, WorkspaceOps.sentence(error))
                } catch let error as CharterStoreError where error.code == .invalid {
                    errors.add(aspiringField, WorkspaceOps.sentence(error))
                }
            }
            return try await versionPage(
                id, store: versions, context: context, errors: errors, values: form.fields, editing: standardID)
        }
        group.post("/admin/charter/:version/publish") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let principal = try Workspace.require(.writeCharterVersions, context: context)
            let id = try CharterAPI.id("version", context)
            guard let version = try await versions.version(id: id) else {
                throw Problem(.notFound, "There is no charter version \(id).")
            }
            guard version.isDraft else {
                throw Problem(.conflict, "\(version.label) is already published and can no longer be changed.")
            }
            guard form["confirm"] == "yes" else {
                return Workspace.confirm(
                    title: "Publish \(version.label)?",
                    sentence:
                        "Once published, \(version.label) can be pledged to and can never be changed again: a later"
                        + " change needs a new draft.",
                    action: "/admin/charter/\(id)/publish", button: "Publish the version",
                    cancel: "/admin/charter/\(id)", section: "/admin/charter", context: context)
            }
            do {
                try await versions.publish(versionID: id, actor: principal.actor)
            } catch let error as CharterStoreError where error.code == .conflict {
                throw Problem(.conflict, WorkspaceOps.sentence(error))
            }
            return Workspace.redirect(to: "/admin/charter/\(id)", notice: WorkspaceNotice(.versionPublished, id))
        }
        group.get("/admin/charter/:version/preview") { request, context -> Response in
            _ = try Workspace.require(.previewRules, context: context)
            let id = try CharterAPI.id("version", context)
            guard let version = try await versions.version(id: id) else {
                throw Problem(.notFound, "There is no charter version \(id).")
            }
            var asOf = WorkspaceOps.today
            if let text = request.uri.queryParameters.get("as_of"), !text.isEmpty {
                guard let date = WorkspaceOps.date(text) else {
                    throw Problem(.unprocessableContent, "The day to preview as must be a date like 2026-12-06.")
                }
                asOf = date
            }
            let report = try await RulesPreview(pool: pool).preview(label: version.label, asOf: asOf)
            let names = try await EmployerStore(pool: pool).names(
                of: (report.added + report.cleared).map(\.employerID))
            func rows(_ changes: [FlagChange]) -> [[String: Any]] {
                changes.map { change -> [String: Any] in
                    [
                        "employerID": change.employerID,
                        "employer": names[change.employerID] ?? "employer \(change.employerID)",
                        "period": change.period,
                        "standard": change.standardID, "subject": change.subject, "severity": change.severity,
                    ]
                }
            }
            return Workspace.render(
                "workspace-charter-preview",
                [
                    "id": id, "label": version.label, "asOf": WebPage.date(asOf),
                    "periods": report.periods.joined(separator: ", "), "returnsJudged": report.returnsJudged,
                    "added": rows(report.added), "cleared": rows(report.cleared),
                    "addedCount": report.added.count, "clearedCount": report.cleared.count,
                    "previewErrors": report.errors, "hasPreviewErrors": !report.errors.isEmpty,
                ], section: "/admin/charter", context: context)
        }
    }

    /// The id of the form field for `name` of `standardID` (dots are awkward in fragment links).
    static func fieldID(_ standardID: String, _ name: String) -> String {
        "\(standardID.replacingOccurrences(of: ".", with: "-"))--\(name)"
    }

    static func bandLabel(_ band: MinimumWageBand) -> String {
        switch band {
        case .twentyOnePlus: "21 and over"
        case .eighteenToTwenty: "18 to 20"
        case .under18: "under 18"
        case .apprentice: "apprentice"
        }
    }

    /// An amount in pounds per hour typed as `12.60`, or nil with a sentence in `errors`.
    static func amount(_ text: String?, field: String, label: String, errors: inout FormErrors) -> Decimal? {
        guard let text, text.wholeMatch(of: /[0-9]{1,3}(\.[0-9]{1,4})?/) != nil, let value = Decimal(string: text),
            value > 0
        else {
            errors.add(field, "\(label) must be an amount in pounds per hour, like 12.60.")
            return nil
        }
        return value
    }

    static func charterPage(
        pool: PGPool, context: CharterRequestContext, errors: FormErrors = FormErrors(),
        values: [String: String] = [:]
    ) async throws -> Response {
        let summaries = try await CharterVersionStore(pool: pool).summaries()
        let rates = try await RateStore(pool: pool).table()
        let holidays = try await BankHolidayStore(pool: pool).list()
        var data: [String: Any] = [
            "versions": summaries.map { summary -> [String: Any] in
                [
                    "id": summary.id, "label": summary.label, "from": WebPage.date(summary.effectiveFrom),
                    "status": summary.isDraft ? "Draft" : "Published", "pledges": summary.pledges,
                    "created": WebPage.time(summary.createdAt),
                ]
            },
            "sources": summaries.map { summary -> [String: Any] in
                var option: [String: Any] = ["value": String(summary.id), "label": summary.label]
                if values["source"] == String(summary.id) { option["selected"] = true }
                return option
            },
            "rlw": rates.realLivingWage.sorted { $0.deadline > $1.deadline }.map {
                [
                    "year": $0.rateYear, "uk": "£\($0.uk)", "london": "£\($0.london)",
                    "announced": WebPage.date($0.announcedOn), "deadline": WebPage.date($0.deadline),
                ]
            },
            "nmw": rates.minimumWage.sorted { $0.effectiveFrom > $1.effectiveFrom }.map { table in
                [
                    "from": WebPage.date(table.effectiveFrom),
                    "rates": MinimumWageBand.allCases.map { band in
                        ["band": bandLabel(band), "rate": table.rates[band].map { "£\($0)" } ?? "none"]
                    },
                ] as [String: Any]
            },
            "bands": MinimumWageBand.allCases.map { band in
                let field = "nmw_\(band.rawValue)"
                var row: [String: Any] = ["field": field, "label": bandLabel(band), "value": values[field] ?? ""]
                if let message = errors.entries.first(where: { $0.field == field })?.message { row["error"] = message }
                return row
            },
            "holidays": holidays.map { ["date": WebPage.date($0.date), "name": $0.name] },
            "values": values,
        ]
        data.merge(errors.templateData) { _, new in new }
        return Workspace.render(
            "workspace-charter", data, section: "/admin/charter", change: .writeCharterVersions, context: context,
            status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    static func versionPage(
        _ id: Int64, store: CharterVersionStore, context: CharterRequestContext, errors: FormErrors = FormErrors(),
        values: [String: String] = [:], editing: String? = nil
    ) async throws -> Response {
        guard let version = try await store.version(id: id) else {
            throw Problem(.notFound, "There is no charter version \(id).")
        }
        let messages = Dictionary(errors.entries.map { ($0.field, $0.message) }, uniquingKeysWith: { a, _ in a })
        func text(_ value: ParameterValue) -> String {
            switch value {
            case .number(let number): "\(number)"
            case .text(let text): text
            case .flag(let flag): flag ? "true" : "false"
            case .list(let items): items.joined(separator: ", ")
            }
        }
        func severities(_ field: String, _ current: Severity) -> [[String: Any]] {
            let chosen = (editing != nil ? values[field] : nil) ?? current.rawValue
            return Severity.allCases.reversed().map { severity in
                var option: [String: Any] = ["value": severity.rawValue, "label": severity.rawValue]
                if severity.rawValue == chosen { option["selected"] = true }
                return option
            }
        }
        let standards = version.standards.map { standard -> [String: Any] in
            let aspiring = fieldID(standard.id, "severity_aspiring")
            let accredited = fieldID(standard.id, "severity_accredited")
            var row: [String: Any] = [
                "id": standard.id, "formID": fieldID(standard.id, "form"), "title": standard.title,
                "pillar": standard.pillar.rawValue, "aspiring": standard.severityAspiring.rawValue,
                "accredited": standard.severityAccredited.rawValue,
                "parameters": standard.defaults.parameters.sorted { $0.key < $1.key }.map { name, value in
                    let field = fieldID(standard.id, name)
                    var parameter: [String: Any] = [
                        "name": name, "label": name.replacingOccurrences(of: "_", with: " "), "field": field,
                        "text": text(value),
                        "value": (editing == standard.id ? values[field] : nil) ?? text(value),
                    ]
                    if case .list = value { parameter["hint"] = "A list: separate the items with commas." }
                    if case .flag = value { parameter["hint"] = "true or false." }
                    if let message = messages[field] { parameter["error"] = message }
                    return parameter
                },
                "aspiringField": aspiring, "accreditedField": accredited,
                "aspiringChoices": severities(aspiring, standard.severityAspiring),
                "accreditedChoices": severities(accredited, standard.severityAccredited),
            ]
            row.setIfPresent("aspiringError", messages[aspiring])
            row.setIfPresent("accreditedError", messages[accredited])
            return row
        }
        var data: [String: Any] = [
            "id": id, "versionID": id, "label": version.label, "from": WebPage.date(version.effectiveFrom),
            "status": version.isDraft ? "Draft" : "Published", "dueDays": version.returnDueDays,
            "noticeDays": version.shiftNoticeDays, "standards": standards,
        ]
        if version.isDraft { data["draft"] = true }
        data.merge(errors.templateData) { _, new in new }
        return Workspace.render(
            "workspace-charter-version", data, section: "/admin/charter", change: .writeCharterVersions,
            context: context, status: errors.isEmpty ? .ok : .unprocessableContent)
    }
}

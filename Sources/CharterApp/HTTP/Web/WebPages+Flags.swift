import CharterAccess
import CharterDomain
import CharterStore
import Foundation
import HTTPTypes
import Hummingbird
import PGClient

extension WebPages {
    /// The forms of a flag page that take a note: (action, policy action, label, note required).
    static let noteActions: [(FlagAction, Action, String, Bool)] = [
        (.acknowledge, .acknowledgeFlag, "Acknowledge", false),
        (.resolve, .resolveFlag, "Resolve", true),
        (.reopen, .reopenFlag, "Reopen", true),
        (.dispute, .disputeFlag, "Dispute", true),
        (.comment, .commentOnFlag, "Comment", true),
    ]

    static func registerFlags(
        on group: RouterGroup<CharterRequestContext>, pool: PGPool, flags: FlagStore, users: UserStore
    ) {
        let employers = EmployerStore(pool: pool)
        let versions = CharterVersionStore(pool: pool)
        group.get("/flags") { request, context -> Response in
            let principal = try principal(context)
            // Every field as the browser's form sent it (`+` a space), the next page's link included.
            let query = FormQuery(request)
            var filter = try webFlagFilter(query)
            let visible = AccessPolicy.visibleEmployers(principal, for: .readFlags)
            let cursor = query["cursor"].flatMap { $0.isEmpty ? nil : $0 }
            // Whoever sees every employer (the charter team) types one, by company number or name: a list of
            // thousands is no way to choose. Whoever sees a few (a rep, an employer) picks from their own.
            let typesEmployer = visible == .all
            var errors = FormErrors()
            var typedEmployer = String(
                (query["employer_named"] ?? "").trimmingCharacters(in: .whitespaces).prefix(
                    ListQuery.maximumFilterLength))
            if typesEmployer, !typedEmployer.isEmpty {
                let typed = try await Self.typedEmployer(typedEmployer, pool: pool, missing: "")
                filter.employerID = typed.id
                if let refusal = typed.refusal { errors.add("f-employer", refusal) }
            } else if typesEmployer, let chosen = filter.employerID, let employer = try await employers.find(id: chosen)
            {
                typedEmployer = employer.companyNumber?.value ?? employer.name  // from a link: shown as if typed
            }
            // A typed employer that names none shows no flags rather than every employer's.
            let page =
                errors.isEmpty
                ? try await flags.list(filter, visible: visible, cursor: cursor, limit: 50)
                : FlagPage(flags: [], nextCursor: nil)
            let counts =
                errors.isEmpty
                ? try await flags.counts(filter, visible: visible) : FlagCounts(bySeverity: [:], byState: [:], total: 0)
            var shownEmployers = typesEmployer ? [] : try await flags.employersWithFlags(visible: visible)
            if !typesEmployer, let chosen = filter.employerID, visible.contains(chosen),
                !shownEmployers.contains(where: { $0.id == chosen }),
                let name = try await employers.find(id: chosen)?.name
            {
                shownEmployers.append((chosen, name))  // from a link: still shown as chosen, though it has no flags
            }
            var standards = try await versions.publishedStandardTitles()
            if let chosen = filter.standardID, !standards.contains(where: { $0.id == chosen }) {
                standards.append((chosen, chosen))  // from a link or an older charter: still shown as chosen
            }
            var next: String?
            if let nextCursor = page.nextCursor {
                var link = URLComponents()
                link.queryItems =
                    query.values.filter { $0.name != "cursor" && !$0.value.isEmpty }
                    .map { URLQueryItem(name: $0.name, value: $0.value) }
                    .sorted { $0.name < $1.name } + [URLQueryItem(name: "cursor", value: nextCursor)]
                next = "/flags?" + (link.percentEncodedQuery ?? "")
            }
            var data: [String: Any] = [
                "typesEmployer": typesEmployer,
                "typedEmployer": typedEmployer,
                "employers": shownEmployers.map {
                    ["id": $0.id, "name": $0.name, "selected": $0.id == filter.employerID] as [String: Any]
                },
                "standards": standards.map {
                    ["id": $0.id, "title": $0.title, "selected": $0.id == filter.standardID] as [String: Any]
                },
                "period": filter.period?.description ?? "",
                "severities": Severity.allCases.filter { $0 != .off }.map {
                    ["value": $0.rawValue, "selected": $0 == filter.severity] as [String: Any]
                },
                "states": FlagState.allCases.map {
                    ["value": $0.rawValue, "selected": $0 == filter.state] as [String: Any]
                },
                // Most severe first, as a rep reads them.
                "counts": Severity.allCases.filter { $0 != .off }.reversed().map {
                    ["severity": $0.rawValue, "count": counts.bySeverity[$0.rawValue] ?? 0] as [String: Any]
                },
                "total": counts.total,
                "hasFlags": !page.flags.isEmpty,
                "flags": page.flags.map(summaryRow),
            ]
            data.setIfPresent("next", next)
            data.merge(errors.templateData) { _, new in new }
            return WebPage.render(
                "flags", data, context: context, status: errors.isEmpty ? .ok : .unprocessableContent)
        }
        group.get("/flags/:flag") { _, context -> Response in
            let principal = try principal(context)
            let flag = try await visibleFlag(flags, context, principal, for: .readFlags)
            return try await flagPage(flag, principal: principal, context: context, users: users)
        }
        for (flagAction, action) in [
            (FlagAction.acknowledge, Action.acknowledgeFlag), (.resolve, .resolveFlag), (.reopen, .reopenFlag),
            (.comment, .commentOnFlag), (.dispute, .disputeFlag), (.respond, .respondToFlag),
        ] {
            group.post("/flags/:flag/\(flagAction.rawValue)") { request, context -> Response in
                let principal = try principal(context)
                let form = try await WebForm.read(request, context: context)
                try form.requireCSRF(context: context)
                let flag = try await visibleFlag(flags, context, principal, for: action)
                guard let role = principal.flagActorRole else {
                    throw Problem(.forbidden, "a \(principal.role.rawValue) cannot act on flags")
                }
                var note = form["note"]
                var response: FlagResponse?
                // What was typed, to give back if the action is refused.
                let refused = { (sentence: String, field: String?) in
                    RefusedAction(action: flagAction, sentence: sentence, field: field, typed: form.fields)
                }
                let refusal: RefusedAction
                let status: HTTPResponse.Status
                do {
                    if flagAction == .respond {
                        guard let explanation = form["explanation"] else {
                            throw CharterStoreError(.invalid, "A response needs an explanation.")
                        }
                        var target: CalendarDate?
                        if let text = form["target_date"] {
                            guard let date = CalendarDate(iso: text) else {
                                throw RefusedAction.Field(
                                    "The target date \(text) is not a date; write it as YYYY-MM-DD, e.g. 2027-03-31.",
                                    field: "target_date")
                            }
                            target = date
                        }
                        response = FlagResponse(
                            explanation: explanation, actionPlan: form["action_plan"], targetDate: target)
                        note = explanation
                    }
                    try await flags.act(
                        flagAction, on: flag.summary.id, role: role, actor: principal.actor, note: note,
                        response: response)
                    var redirect = WebPage.redirect(to: "/flags/\(flag.summary.id)")
                    redirect.setCookie(WebNotice.flagAction(flagAction, flagID: flag.summary.id).cookie)
                    return redirect
                } catch let error as CharterDomainError {
                    refusal = refused(error.message, nil)
                    status = .conflict
                } catch let error as RefusedAction.Field {
                    refusal = refused(error.sentence, error.field)
                    status = .unprocessableContent
                } catch let error as CharterStoreError where error.code != .notFound {
                    refusal = refused(error.message, nil)
                    // `.conflict` is the transition refused (the flag moved on, or a note was missing).
                    status = error.code == .conflict ? .conflict : .unprocessableContent
                }
                // The flag as it is now: someone else may have moved it on since the page was loaded.
                let current = try await flags.flag(id: flag.summary.id) ?? flag
                return try await flagPage(
                    current, principal: principal, context: context, users: users, refusal: refusal, status: status)
            }
        }
    }

    /// The flag, if the principal may see it and do `action` (404 if they may not see it at all).
    static func visibleFlag(
        _ flags: FlagStore, _ context: CharterRequestContext, _ principal: Principal, for action: Action
    ) async throws -> FlagDetail {
        let id = try CharterAPI.id("flag", context)
        guard let flag = try await flags.flag(id: id) else { throw Problem(.notFound, "There is no flag \(id).") }
        try APIAccess.require(
            principal, action, employerID: flag.summary.employerID, notFound: "There is no flag \(id).")
        return flag
    }

    /// An action on a flag that was refused, with what the person typed, so the page shows the sentence in
    /// an error summary and gives the text back instead of losing it.
    struct RefusedAction {
        var action: FlagAction
        var sentence: String
        /// The form field the sentence is about, when it names one (`target_date`).
        var field: String?
        /// The form's fields as sent.
        var typed: [String: String]

        /// A refusal about one field of the form, found before the store is asked.
        struct Field: Error {
            var sentence: String
            var field: String
            init(_ sentence: String, field: String) {
                self.sentence = sentence
                self.field = field
            }
        }
    }

    /// Whether `role` may take `action` on a flag in `state`, as `FlagTransitions` decides — asked with a
    /// note, since whether one is needed is the form's to say, not whether the form is offered.
    static func transitionAllowed(_ action: FlagAction, from state: FlagState, by role: FlagActorRole?) -> Bool {
        guard let role else { return false }
        return (try? FlagTransitions.apply(action, to: state, by: role, note: "a note")) != nil
    }

    static func flagPage(
        _ stored: FlagDetail, principal: Principal, context: CharterRequestContext, users: UserStore,
        refusal: RefusedAction? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let flag = principal.role == .rep ? stored.forReps() : stored
        let summary = flag.summary
        let names = try await ActorNames.load(for: flag.events.map(\.actor), users: users)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let evidence = (try? encoder.encode(flag.evidence)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        // Only the forms the policy allows this person and the flag's state allows now.
        func offered(_ flagAction: FlagAction, _ action: Action) -> Bool {
            allows(principal, action, employerID: summary.employerID)
                && transitionAllowed(flagAction, from: summary.state, by: principal.flagActorRole)
        }
        let shown = noteActions.filter { offered($0.0, $0.1) }
        let canRespond = offered(.respond, .respondToFlag)
        // A refused action's text goes back into its own form, or — when that form is no longer offered
        // (the flag moved on meanwhile) — into the comment form, so what was typed is never lost.
        var home: FlagAction?
        if let refusal {
            let ownForm = refusal.action == .respond ? canRespond : shown.contains { $0.0 == refusal.action }
            home = ownForm ? refusal.action : shown.contains { $0.0 == .comment } ? .comment : nil
        }
        let typedNote = refusal.flatMap { $0.typed[$0.action == .respond ? "explanation" : "note"] } ?? ""
        let actions = shown.map { entry -> [String: Any] in
            let (flagAction, _, label, required) = entry
            var row: [String: Any] = [
                "action": flagAction.rawValue, "label": label, "required": required,
                "typed": flagAction == home ? typedNote : "", "fieldError": false,
            ]
            if flagAction == home, let refusal { row["fieldError"] = refusal.sentence }
            return row
        }
        var data: [String: Any] = [
            "id": summary.id,
            "standard": summary.standardTitle.map { "\($0) (\(summary.standardID))" } ?? summary.standardID,
            "employer": summary.employerName, "employerID": summary.employerID, "period": summary.period.description,
            "severity": summary.severity.rawValue, "state": summary.state.rawValue,
            "evidence": evidence,
            // The figures as a rep or payroll clerk reads them (as in the emails); the JSON stays below.
            "evidenceLines": flag.evidence.reportLines.map { line -> [String: Any] in
                let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                return ["label": parts[0], "value": parts.count > 1 ? parts[1] : ""]
            },
            "parameters": flag.evidence.parameters.sorted { $0.key < $1.key }.map {
                ["name": $0.key.replacingOccurrences(of: "_", with: " "), "value": $0.value.description]
                    as [String: Any]
            },
            "hasParameters": !flag.evidence.parameters.isEmpty,
            "events": flag.events.map { event -> [String: Any] in
                let change: String
                switch (event.fromState, event.toState) {
                case (let from?, let to?): change = "\(from.rawValue) → \(to.rawValue)"
                case (nil, let to?): change = to.rawValue
                default: change = ""
                }
                return [
                    "at": WebPage.time(event.at), "actor": names.name(event.actor), "kind": event.kind.rawValue,
                    "change": change, "note": event.note ?? "",
                ]
            },
            "noteActions": actions, "canRespond": canRespond, "hasActions": !actions.isEmpty || canRespond,
            // Someone who may act on flags, but not on this one as it stands, is told why no form is here.
            "nothingToDo": principal.flagActorRole != nil && actions.isEmpty && !canRespond,
            "csrf": context.csrfToken?.text ?? "",
        ]
        data.setIfPresent("subject", summary.subject)
        if let response = flag.response {
            data["response"] = (["explanation": response.explanation] as [String: Any])
                .with("actionPlan", response.actionPlan).with("targetDate", response.targetDate.map(WebPage.date))
        }
        if let refusal {
            // The error summary links to the field the sentence is about.
            var field: String?
            if home == .respond {
                let respondField = refusal.field ?? "explanation"
                field = respondField
                data[respondField == "target_date" ? "targetDateError" : "explanationError"] = refusal.sentence
                data["typedResponse"] = [
                    "explanation": refusal.typed["explanation"] ?? "", "actionPlan": refusal.typed["action_plan"] ?? "",
                    "targetDate": refusal.typed["target_date"] ?? "",
                ]
            } else if let home {
                field = "note-\(home.rawValue)"
            }
            data["refusal"] = (["sentence": refusal.sentence] as [String: Any]).with("field", field)
        }
        return WebPage.render("flag", data, context: context, status: status)
    }

    /// A queue row: the standard by its title where the charter version has one, its id beneath.
    static func summaryRow(_ flag: Flag) -> [String: Any] {
        [
            "id": flag.id, "employer": flag.employerName, "standard": flag.standardTitle ?? flag.standardID,
            "standardID": flag.standardID, "period": flag.period.description, "severity": flag.severity.rawValue,
            "state": flag.state.rawValue,
        ]
    }

    /// The queue's filters from the GET form; an empty field means "any", a bad value is a 400 page.
    static func webFlagFilter(_ query: FormQuery) throws -> FlagStore.Filter {
        func value(_ name: String) -> String? {
            query[name].flatMap { $0.isEmpty ? nil : $0 }
        }
        func parsed<T>(_ name: String, _ expected: String, _ parse: (String) -> T?) throws -> T? {
            guard let text = value(name) else { return nil }
            guard let result = parse(text) else {
                let shown = text.count > 40 ? text.prefix(40) + "…" : Substring(text)
                throw Problem(.badRequest, "The \(name) filter must be \(expected), not \(shown).")
            }
            return result
        }
        return FlagStore.Filter(
            employerID: try parsed("employer", "an employer id") { Int64($0) },
            standardID: value("standard"),
            severity: try parsed("severity", "one of critical, breach, warning, info") { Severity(rawValue: $0) },
            state: try parsed("state", "one of open, acknowledged, disputed, resolved, cleared, waived") {
                FlagState(rawValue: $0)
            },
            period: try parsed("period", "a period (YYYY-Qn)") { ReportingPeriod($0) })
    }
}

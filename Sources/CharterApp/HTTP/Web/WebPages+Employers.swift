import CharterAccess
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import HTTPTypes
import Hummingbird
import PGClient

extension WebPages {
    /// A rejected upload as the employer page lists it.
    struct Rejection {
        var sentence: String
        var errors: [ReturnIssue]
        var period: String
    }

    static func registerEmployers(
        on group: RouterGroup<CharterRequestContext>, pool: PGPool, flags: FlagStore, users: UserStore
    ) {
        group.get("/employers/:employer") { _, context -> Response in
            let principal = try principal(context)
            let id = try CharterAPI.id("employer", context)
            try APIAccess.require(principal, .readEmployers, employerID: id, notFound: "There is no employer \(id).")
            return try await employerPage(id, principal: principal, context: context, pool: pool, flags: flags)
        }
        group.post("/employers/:employer/returns/upload") { request, context -> Response in
            try await upload(request, context: context, pool: pool, flags: flags)
        }
        group.get("/employers/:employer/returns/:period") { request, context -> Response in
            let principal = try principal(context)
            let id = try CharterAPI.id("employer", context)
            try APIAccess.require(principal, .readReturns, employerID: id, notFound: "There is no employer \(id).")
            let period = try CharterAPI.period(context)
            return try await returnPage(
                id, period, principal: principal, request: request, context: context, pool: pool, users: users)
        }
        group.get("/employers/:employer/returns/:period/versions/:version") { _, context -> Response in
            let principal = try principal(context)
            let id = try CharterAPI.id("employer", context)
            try APIAccess.require(principal, .readReturns, employerID: id, notFound: "There is no employer \(id).")
            let period = try CharterAPI.period(context)
            return try await versionPage(id, period, principal: principal, context: context, pool: pool, users: users)
        }
    }

    static func employerPage(
        _ id: Int64, principal: Principal, context: CharterRequestContext, pool: PGPool, flags: FlagStore,
        rejection: Rejection? = nil
    ) async throws -> Response {
        guard let employer = try await EmployerStore(pool: pool).find(id: id) else {
            throw Problem(.notFound, "There is no employer \(id).")
        }
        var data: [String: Any] = ["id": id, "name": employer.name, "csrf": context.csrfToken?.text ?? ""]
        let pledges = try await PledgeStore(pool: pool).list(employerID: id)
        if allows(principal, .readPledges, employerID: id) {
            data["pledges"] = pledges.map {
                (["tier": $0.tier, "livingHours": $0.livingHours, "from": WebPage.date($0.validFrom)] as [String: Any])
                    .with("to", $0.validTo.map(WebPage.date))
            }
        }
        if allows(principal, .readReturns, employerID: id) {
            let rows = try await returnRows(id, pool: pool)
            data["hasReturns"] = !rows.isEmpty
            data["returns"] = rows
        }
        if allows(principal, .readFlags, employerID: id) {
            let page = try await flags.list(
                FlagStore.Filter(employerID: id), visible: AccessPolicy.visibleEmployers(principal, for: .readFlags),
                cursor: nil, limit: 100)
            data["flags"] = page.flags.map(summaryRow)
        }
        if let readiness = try await readinessIfAspiring(id, principal: principal, pool: pool, pledges: pledges) {
            data["readiness"] = readiness
        }
        data["canUpload"] = allows(principal, .submitReturn, employerID: id)
        if principal.role == .employer, allows(principal, .applyToCharter, employerID: id) {
            data["canApply"] = true
            if try await ApplicationStore(pool: pool).openApplication(employerID: id) != nil {
                data["openApplication"] = true
            }
        }
        data["outcomes"] = try await employerOutcomes(id, principal: principal, pool: pool)
        var status = HTTPResponse.Status.ok
        if let rejection {
            status = .unprocessableContent
            data["rejection"] = rejection.sentence
            data["uploadPeriod"] = rejection.period
            data["errors"] = rejection.errors.map {
                ["line": $0.line.map(String.init) ?? "", "column": $0.column ?? "", "message": $0.message]
            }
        }
        return WebPage.render("employer", data, context: context, status: status)
    }

    /// `readiness` when the employer's pledge in force today is aspiring (its `pledges`, read when nil);
    /// nil otherwise.
    static func readinessIfAspiring(
        _ id: Int64, principal: Principal, pool: PGPool, pledges: [PledgeRecord]? = nil
    ) async throws -> [String: Any]? {
        let today = CalendarDate(Date(), in: .europeLondon)
        var pledges = pledges
        if pledges == nil { pledges = try await PledgeStore(pool: pool).list(employerID: id) }
        guard pledges?.first(where: { $0.isInForce(on: today) })?.tier == Tier.aspiring.rawValue else { return nil }
        return try await readiness(id, principal: principal, pool: pool)
    }

    /// What stands between an employer that is aspiring today and accreditation (SPEC §10) — judged only
    /// for such an employer, since it reads the latest return's lines — for those who see its figures in
    /// full, the employer itself and the charter team; a rep's view of the employer carries suppressed
    /// figures only, so it is not shown there.
    static func readiness(_ id: Int64, principal: Principal, pool: PGPool) async throws -> [String: Any]? {
        guard AccessPolicy.seesWorkerDetail(principal), allows(principal, .readReturns, employerID: id) else {
            return nil
        }
        let report = try await Readiness(pool: pool).assess(employerID: id)
        var data: [String: Any] = [
            "summary": report.summary,
            "breaches": report.breaches.map { finding -> [String: Any] in
                ([
                    "standard": finding.standardID, "severity": finding.severity.rawValue,
                    "lines": finding.evidence.reportLines,
                ] as [String: Any])
                .with("subject", finding.subject)
            },
        ]
        if !report.breaches.isEmpty { data["hasBreaches"] = true }
        if principal.role == .employer { data["ownPage"] = true }
        return data
    }

    /// A return sent from the employer page: `csrf_token`, `period`, `header` (the JSON file) and then
    /// `lines` (the CSV file) as `multipart/form-data`, streamed into the store as the API's upload is.
    static func upload(_ request: Request, context: CharterRequestContext, pool: PGPool, flags: FlagStore)
        async throws -> Response
    {
        let principal = try principal(context)
        let id = try CharterAPI.id("employer", context)
        try APIAccess.require(principal, .submitReturn, employerID: id, notFound: "There is no employer \(id).")
        let type = request.headers[.contentType] ?? ""
        guard let boundary = MultipartParser.boundary(fromContentType: type) else {
            throw Problem(.unsupportedMediaType, "The return form is sent as multipart/form-data.")
        }
        let reader = MultipartBodyReader(body: request.body, boundary: boundary, maximumBytes: 1 << 30)
        var csrf: String?
        var periodText = ""
        var header: [UInt8]?
        while let event = try await reader.nextEvent() {
            guard case .partBegin(let part) = event else { continue }
            switch part.name {
            case "csrf_token":
                csrf = String(decoding: try await reader.collectPart(named: "csrf_token", limit: 256), as: UTF8.self)
            case "period":
                periodText = String(decoding: try await reader.collectPart(named: "period", limit: 64), as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            case "header":
                try WebForm.requireCSRF(csrf, context: context)
                header = try await reader.collectPart(named: "header", limit: 1 << 20)
            case "lines":
                try WebForm.requireCSRF(csrf, context: context)
                guard let period = ReportingPeriod(periodText) else {
                    let rejection = Rejection(
                        sentence: "The period \"\(periodText)\" is not a quarter; write it as YYYY-Qn, e.g. 2026-Q3.",
                        errors: [], period: periodText)
                    return try await employerPage(
                        id, principal: principal, context: context, pool: pool, flags: flags, rejection: rejection)
                }
                guard let header else { throw Problem(.badRequest, "Send the header file before the lines file.") }
                let outcome = try await ReturnStore(pool: pool).submit(
                    ReturnSubmission(
                        employerID: id, period: period, submittedBy: principal.actor, header: Data(header)),
                    csv: reader.streamPart(named: "lines"))
                switch outcome {
                case .accepted(let result):
                    // POST-redirect-GET: the confirmation page says what was received; a reload asks again
                    // for that page, never sends the files again.
                    let number = result.version.version
                    var response = WebPage.redirect(to: "/employers/\(id)/returns/\(period)/versions/\(number)")
                    response.setCookie(
                        WebNotice.returnReceived(period, version: number, unchanged: result.status == .unchanged)
                            .cookie)
                    return response
                case .rejected(let report):
                    let count = report.totalErrors
                    let rejection = Rejection(
                        sentence:
                            "The return was rejected with \(count) error\(count == 1 ? "" : "s") and nothing was stored.",
                        errors: report.errors, period: periodText)
                    return try await employerPage(
                        id, principal: principal, context: context, pool: pool, flags: flags, rejection: rejection)
                }
            default:
                throw Problem(.badRequest, "The return form has no field named \(part.name.excerpt()).")
            }
        }
        try WebForm.requireCSRF(csrf, context: context)
        throw Problem(.badRequest, "The form had no worker-lines file.")
    }

    /// A return's versions, and with `?from=&to=` the differences between two of them.
    ///
    /// A rep is given what `forReps()` leaves (SPEC §4): counts of 1–4 lines as "fewer than 5", the header
    /// fields that changed, and no worker line — no worker_ref, no one worker's pay.
    static func returnPage(
        _ id: Int64, _ period: ReportingPeriod, principal: Principal, request: Request,
        context: CharterRequestContext, pool: PGPool, users: UserStore
    ) async throws -> Response {
        let returns = ReturnStore(pool: pool)
        let full = AccessPolicy.seesWorkerDetail(principal)
        let stored = try await returns.history(employerID: id, period: period)
        let names = try await ActorNames.load(for: stored.map(\.submittedBy), users: users)
        guard !stored.isEmpty, let employer = try await EmployerStore(pool: pool).find(id: id) else {
            throw Problem(.notFound, "Employer \(id) has sent no return for \(period).")
        }
        let versions = full ? stored : stored.map { $0.forReps() }
        let base = "/employers/\(id)/returns/\(period)"
        var data: [String: Any] = [
            "employer": employer.name, "employerID": id, "period": period.description,
            "versions": versions.map { version -> [String: Any] in
                let number = version.version
                return [
                    "version": number, "href": "\(base)/versions/\(number)",
                    "received": WebPage.time(version.receivedAt), "late": version.late ?? false,
                    "by": names.name(version.submittedBy), "lines": version.lineCount.description,
                    "changes": changeSummary(version.changes), "previous": number - 1,
                    // Its own key, set on every row: a row without one would find the page's `diff`.
                    "compareHref": number > 1 ? "\(base)?from=\(number - 1)&to=\(number)" as Any : false,
                ]
            },
        ]
        let query = request.uri.queryParameters
        if let fromText = query.get("from"), let toText = query.get("to") {
            guard let from = Int(fromText), let to = Int(toText) else {
                throw Problem(.badRequest, "Say which versions to compare by number, e.g. ?from=1&to=2.")
            }
            let compared = try await returns.diff(employerID: id, period: period, from: from, to: to)
            let diff = full ? compared : compared.forReps()
            let withheld =
                diff.lines == nil
                ? " Which worker lines changed is shown only to the employer and the charter team." : ""
            data["diff"] =
                ([
                    "from": from, "to": to, "summary": diff.changes.linesSentence + "." + withheld,
                    // Only who may see worker lines gets the table; a rep's would always be empty.
                    "showLines": diff.lines != nil,
                    "lines": (diff.lines ?? []).map { line -> [String: Any] in
                        [
                            "workerRef": line.workerRef, "kind": line.kind.rawValue,
                            "columns": line.columns.map { "\($0.column): \($0.old ?? "—") → \($0.new ?? "—")" }
                                .joined(separator: "; "),
                        ]
                    },
                ] as [String: Any]).with("headerFields", diff.headerFields.joined(separator: ", "))
        }
        return WebPage.render("return", data, context: context)
    }
}

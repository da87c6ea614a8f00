import CharterAccess
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import HTTPTypes
import Hummingbird
import PGClient

/// Who is working on an application in this request: a browser that followed the emailed link (an
/// applicant with no account), or a signed-in employer on its own open application. `AccessPolicy`
/// decides either way.
struct ApplicantAccess {
    var applicationID: Int64
    /// Who the audit log names: `applicant:7` or `user:12`.
    var actor: String
    /// The CSRF token the application's forms carry.
    var csrf: String

    /// The cookie of an applicant's session (`__Host-`: only this site sets it; `SameSite=Strict`).
    static let cookieName = "__Host-charterwatch_applicant"

    static func cookie(_ session: IssuedApplicantSession) -> Cookie {
        Cookie(
            name: cookieName, value: session.cookieValue, maxAge: Int(ApplicationStore.sessionLifetime), path: "/",
            secure: true, httpOnly: true, sameSite: .strict)
    }

    /// The application this request may work on, or nil.
    static func resolve(
        _ request: Request, context: CharterRequestContext, store: ApplicationStore, for action: Action
    ) async throws -> ApplicantAccess? {
        if let value = request.cookies[cookieName]?.value, let session = try await store.session(cookieValue: value),
            AccessPolicy.decideApplicant(holding: session.applicationID, action, applicationID: session.applicationID)
                .isAllowed
        {
            return ApplicantAccess(
                applicationID: session.applicationID, actor: ApplicationStore.applicantActor(session.applicationID),
                csrf: session.csrfToken)
        }
        if let principal = context.principal, principal.role == .employer, let employerID = principal.employerID,
            AccessPolicy.decide(principal, action, employerID: employerID).isAllowed, let csrf = context.csrfToken,
            let id = try await store.openApplication(employerID: employerID)
        {
            return ApplicantAccess(applicationID: id, actor: principal.actor, csrf: csrf.text)
        }
        return nil
    }

    /// Throws 403 unless `submitted` is this access's CSRF token.
    func requireCSRF(_ submitted: String?) throws {
        guard let expected = CSRFToken(csrf), expected.matches(submitted) else {
            throw Problem(
                .forbidden,
                "This form's security token is missing or out of date, so nothing was changed. Go back, reload the page and try again."
            )
        }
    }
}

extension WebPages {
    /// The application to join the charter (SPEC §10), for people with no account: start with a name,
    /// an address and the organisation; confirm the address through the emailed link; fill in the
    /// organisation, the tier and the self-assessment; add evidence; send it; answer the charter
    /// team's questions. A signed-in employer applies for a higher tier or renews the same way.
    static func registerApply(on group: RouterGroup<CharterRequestContext>, pool: PGPool, reportQueue: ReportQueue?) {
        let store = ApplicationStore(pool: pool)
        group.get("/apply") { request, context -> Response in
            try await applyPage(request, context: context, store: store)
        }
        group.post("/apply") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try SignInFormToken.require(request, form: form, refusal: Self.applyRefusal)
            let mail = try mailQueue(reportQueue)
            do {
                _ = try await store.start(
                    applicantName: form.fields["applicant_name"] ?? "", email: form.fields["email"] ?? "",
                    organisationName: form.fields["organisation_name"] ?? "", mail: mail)
            } catch let problems as ApplicationProblems {
                return try await applyPage(request, context: context, store: store, refused: (form, problems))
            }
            var response = WebPage.redirect(to: "/apply")
            response.setCookie(WebNotice.application(.started).cookie)
            return response
        }
        group.post("/apply/resend") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try SignInFormToken.require(request, form: form, refusal: Self.applyRefusal)
            try await store.resendLinks(email: form.fields["resend_email"] ?? "", mail: try mailQueue(reportQueue))
            var response = WebPage.redirect(to: "/apply")
            response.setCookie(WebNotice.application(.linkResent).cookie)
            return response
        }
        group.post("/apply/employer") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let principal = try principal(context)
            guard let employerID = principal.employerID, let userID = principal.userID else {
                throw Problem(.forbidden, "Only an employer's own user can apply for a higher tier or renew.")
            }
            if case .denied(let reason) = AccessPolicy.decide(principal, .applyToCharter, employerID: employerID) {
                throw Problem(.forbidden, reason)
            }
            do {
                _ = try await store.startForEmployer(employerID, userID: userID, actor: principal.actor)
            } catch let error as CharterStoreError where error.code == .conflict {
                throw Problem(.conflict, error.message.asSentence)
            }
            return WebPage.redirect(to: "/apply/application")
        }
        group.get("/apply/confirm") { request, context -> Response in
            let token = request.uri.queryParameters.get("token") ?? ""
            let formToken = SignInFormToken.current(request) ?? CSRFToken.generate()
            var response = WebPage.render(
                "apply-confirm", ["token": token, "formToken": formToken.text], context: context)
            response.setCookie(SignInFormToken.cookie(formToken))
            response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
            return response
        }
        group.post("/apply/confirm") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try SignInFormToken.require(request, form: form, refusal: Self.applyRefusal)
            let session: IssuedApplicantSession
            do {
                session = try await store.useLink(token: form.fields["token"] ?? "")
            } catch let error as CharterStoreError where error.code == .notFound {
                return WebPage.render(
                    "error", ["heading": "This link does not work any more", "detail": error.message.asSentence],
                    context: context, status: .notFound)
            }
            var response = WebPage.redirect(to: "/apply/application")
            response.setCookie(ApplicantAccess.cookie(session))
            response.setCookie(SignInFormToken.clearing)
            response.setCookie(WebNotice.application(.confirmed).cookie)
            return response
        }
        group.get("/apply/application") { request, context -> Response in
            let access = try await requireApplicant(request, context: context, store: store, for: .readApplications)
            return try await applicationPage(access, context: context, store: store, pool: pool)
        }
        group.post("/apply/application") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            let access = try await requireApplicant(request, context: context, store: store, for: .applyToCharter)
            try access.requireCSRF(form.fields["csrf_token"])
            guard let current = try await store.find(id: access.applicationID) else {
                throw Problem(.notFound, "There is no application \(access.applicationID).")
            }
            let (details, answers, typed) = readApplication(form, current: current)
            do {
                try await store.save(
                    id: access.applicationID, details: details, answers: answers,
                    requestAnswer: form["request_answer"], actor: access.actor)
                if form["action"] == "submit" {
                    try await store.submit(
                        id: access.applicationID, actor: access.actor, mail: try mailQueue(reportQueue))
                }
            } catch let problems as ApplicationProblems {
                return try await applicationPage(
                    access, context: context, store: store, pool: pool,
                    refused: (typed.merging(form.fields) { _, new in new }, problems.problems))
            } catch let error as CharterStoreError where error.code == .conflict {
                throw Problem(.conflict, error.message.asSentence)
            }
            var response = WebPage.redirect(to: "/apply/application")
            response.setCookie(WebNotice.application(form["action"] == "submit" ? .submitted : .saved).cookie)
            return response
        }
        group.post("/apply/application/evidence") { request, context -> Response in
            let access = try await requireApplicant(request, context: context, store: store, for: .applyToCharter)
            return try await uploadEvidence(request, access: access, context: context, store: store, pool: pool)
        }
        group.post("/apply/application/evidence/:file/remove") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            let access = try await requireApplicant(request, context: context, store: store, for: .applyToCharter)
            try access.requireCSRF(form.fields["csrf_token"])
            do {
                try await store.removeEvidence(
                    id: access.applicationID, fileID: try CharterAPI.id("file", context), actor: access.actor)
            } catch let error as CharterStoreError where error.code == .conflict || error.code == .notFound {
                throw Problem(error.code == .conflict ? .conflict : .notFound, error.message.asSentence)
            }
            var response = WebPage.redirect(to: "/apply/application")
            response.setCookie(WebNotice.application(.evidenceRemoved).cookie)
            return response
        }
        group.get("/apply/application/evidence/:file") { request, context -> Response in
            let access = try await requireApplicant(request, context: context, store: store, for: .readApplications)
            return try await evidenceDownload(
                applicationID: access.applicationID, fileID: try CharterAPI.id("file", context), store: store)
        }
        // The same files for the signed-in: the charter team, viewers, the employer, covering reps.
        group.get("/applications/:application/evidence/:file") { _, context -> Response in
            let principal = try principal(context)
            let id = try CharterAPI.id("application", context)
            let fileID = try CharterAPI.id("file", context)
            let missing = "There is no evidence file \(fileID) of application \(id)."
            guard let application = try await store.find(id: id) else { throw Problem(.notFound, missing) }
            // Whoever may not read it learns nothing of it, not even that it exists.
            guard AccessPolicy.decide(principal, .readApplications, employerID: application.employerID).isAllowed else {
                throw Problem(.notFound, missing)
            }
            return try await evidenceDownload(applicationID: id, fileID: fileID, store: store)
        }
    }

    static let applyRefusal =
        "This form's security token is missing or out of date, so nothing was sent. Go back, reload the page and try again."

    static func mailQueue(_ queue: ReportQueue?) throws -> ReportQueue {
        guard let queue else {
            throw Problem(
                .serviceUnavailable, "Email is not set up on this service, so applications cannot be made yet.")
        }
        return queue
    }

    static func requireApplicant(
        _ request: Request, context: CharterRequestContext, store: ApplicationStore, for action: Action
    ) async throws -> ApplicantAccess {
        guard let access = try await ApplicantAccess.resolve(request, context: context, store: store, for: action)
        else {
            throw Problem(
                .forbidden,
                "Open your application through the link in the email we sent you, or start one on the apply page.")
        }
        return access
    }

    /// The start page: the form to begin, the form to have a lost link sent again, and for a signed-in
    /// employer the button to apply for a higher tier or renew.
    static func applyPage(
        _ request: Request, context: CharterRequestContext, store: ApplicationStore,
        refused: (WebForm, ApplicationProblems)? = nil
    ) async throws -> Response {
        var data: [String: Any] = [:]
        if let principal = context.principal, principal.role == .employer, let csrf = context.csrfToken {
            data["employer"] = ["csrf": csrf.text]
        }
        if let value = request.cookies[ApplicantAccess.cookieName]?.value,
            try await store.session(cookieValue: value) != nil
        {
            data["hasApplication"] = true
        }
        let formToken = SignInFormToken.current(request) ?? CSRFToken.generate()
        data["formToken"] = formToken.text
        var status = HTTPResponse.Status.ok
        if let (form, problems) = refused {
            data["values"] = form.fields
            data.merge(errors(problems.problems).templateData) { _, new in new }
            status = .unprocessableContent
        }
        var response = WebPage.render("apply", data, context: context, status: status)
        response.setCookie(SignInFormToken.cookie(formToken))
        return response
    }

    static func errors(_ problems: [ApplicationProblem]) -> FormErrors {
        var errors = FormErrors()
        for problem in problems { errors.add(problem.field, problem.message) }
        return errors
    }

    /// The details and answers a form carries, and its values keyed by field for showing it again.
    static func readApplication(_ form: WebForm, current: ApplicationRecord) -> (
        ApplicationDetails, [StandardAnswer], [String: String]
    ) {
        let details = ApplicationDetails(
            organisationName: form["organisation_name"] ?? "",
            companyNumber: form["company_number"].flatMap { CompanyNumber($0) },
            sector: form["sector"].flatMap(Sector.init(rawValue:)), sizeBand: form["size_band"],
            hasLondonWorkplaces: form["london_workplaces"].map { $0 == "yes" }, contactName: form["contact_name"],
            contactEmail: form["contact_email"], contactRole: form["contact_role"],
            tier: form["tier"].flatMap(Tier.init(rawValue:)), livingHours: form["living_hours"] == "yes",
            notes: form["notes"])
        let answers = current.standards.map { standard, _ in
            let id = standard.id
            return StandardAnswer(
                standardID: id, assessment: form["assessment-\(id)"].flatMap(SelfAssessment.init(rawValue:)),
                plan: form["plan-\(id)"], targetDate: form["target-\(id)"].flatMap { CalendarDate(iso: $0) },
                note: form["note-\(id)"])
        }
        var typed: [String: String] = [:]
        if let text = form["company_number"], details.companyNumber == nil { typed["company_number"] = text }
        return (details, answers, typed)
    }

    /// The application as the applicant fills it in (or reads it once it is with the charter team).
    static func applicationPage(
        _ access: ApplicantAccess, context: CharterRequestContext, store: ApplicationStore, pool: PGPool,
        refused: ([String: String], [ApplicationProblem])? = nil, status: HTTPResponse.Status? = nil
    ) async throws -> Response {
        guard let application = try await store.find(id: access.applicationID) else {
            throw Problem(.notFound, "There is no application \(access.applicationID).")
        }
        var data = applicationData(application, values: refused?.0, problems: refused?.1 ?? [])
        data["csrf"] = access.csrf
        data["editable"] = application.status.isWithApplicant
        data["evidenceBase"] = "/apply/application/evidence"
        if application.status == .unconfirmed { data["unconfirmed"] = true }
        if application.status.isOpen, let employerID = application.employerID, let principal = context.principal,
            let readiness = try await readinessIfAspiring(employerID, principal: principal, pool: pool)
        {
            data["readiness"] = readiness
        }
        var response = WebPage.render(
            "apply-application", data, context: context,
            status: status ?? (refused == nil ? .ok : .unprocessableContent))
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// The template data of an application, shared by the applicant's page and the charter team's: the
    /// details, each standard with its answer, review and evidence, the requests and the decision.
    static func applicationData(
        _ application: ApplicationRecord, values: [String: String]?, problems: [ApplicationProblem]
    ) -> [String: Any] {
        let details = application.details
        var shown: [String: String] = [
            "organisation_name": details.organisationName, "company_number": details.companyNumber?.value ?? "",
            "contact_name": details.contactName ?? "", "contact_email": details.contactEmail ?? "",
            "contact_role": details.contactRole ?? "", "notes": details.notes ?? "",
            "request_answer": application.openRequest?.answer ?? "",
        ]
        for (standard, answer) in application.standards {
            shown["plan-\(standard.id)"] = answer.plan ?? ""
            shown["target-\(standard.id)"] = answer.targetDate?.description ?? ""
            shown["note-\(standard.id)"] = answer.note ?? ""
        }
        if let values { shown.merge(values) { _, new in new } }
        func chosen(_ field: String, _ stored: String?) -> String? { values == nil ? stored : values?[field] }
        let sector = chosen("sector", details.sector?.rawValue)
        let tier = chosen("tier", details.tier?.rawValue)
        let london = chosen("london_workplaces", details.hasLondonWorkplaces.map { $0 ? "yes" : "no" })
        let sizeBand = chosen("size_band", details.sizeBand)
        let livingHours = values == nil ? details.livingHours : values?["living_hours"] == "yes"
        var data: [String: Any] = [
            "id": application.id, "status": application.status.words, "statusCode": application.status.rawValue,
            "applicantName": application.applicantName, "applicantEmail": application.applicantEmail,
            "charterVersion": application.charterVersionLabel, "values": shown,
            "organisationName": details.organisationName, "companyNumber": details.companyNumber?.value ?? "none given",
            "sectorWords": details.sector?.rawValue ?? "not given", "sizeBandWords": details.sizeBand ?? "not given",
            "londonWords": details.hasLondonWorkplaces.map { $0 ? "Yes" : "No" } ?? "not given",
            "tierWords": details.tier?.rawValue ?? "not chosen", "livingHoursWords": details.livingHours ? "Yes" : "No",
            "contactWords": [details.contactName, details.contactEmail, details.contactRole].compactMap { $0 }
                .joined(separator: ", "),
            "notesText": details.notes ?? "",
            "sectors": Sector.allCases.map { ["value": $0.rawValue, "checked": sector == $0.rawValue] },
            "tiers": Tier.allCases.map { ["value": $0.rawValue, "checked": tier == $0.rawValue] },
            "london": ["yes": london == "yes", "no": london == "no"], "livingHours": livingHours,
            "sizeBands": ApplicationDetails.sizeBands.map { ["value": $0, "selected": sizeBand == $0] },
            "created": WebPage.time(application.createdAt),
            "evidenceCount": application.evidence.count, "evidenceLimit": EvidenceFile.maximumFiles,
        ]
        if let submitted = application.submittedAt { data["submitted"] = WebPage.time(submitted) }
        let general = application.evidence.filter { $0.standardID == nil }
        data["generalEvidence"] = general.map(evidenceRow)
        if !general.isEmpty { data["hasGeneralEvidence"] = true }
        let messages = Dictionary(problems.map { ($0.field, $0.message) }, uniquingKeysWith: { first, _ in first })
        data["standards"] = application.standards.map { standard, answer -> [String: Any] in
            let assessment = chosen("assessment-\(standard.id)", answer.assessment?.rawValue)
            var row: [String: Any] = [
                "id": standard.id, "title": standard.title, "pillar": standard.pillar.rawValue,
                "choices": SelfAssessment.allCases.map {
                    ["value": $0.rawValue, "label": $0.words, "checked": assessment == $0.rawValue]
                },
                "assessmentWords": answer.assessment?.words ?? "not answered",
                "planText": answer.plan ?? "", "targetText": answer.targetDate.map(WebPage.date) ?? "",
                "noteText": answer.note ?? "",
                "evidence": application.evidence.filter { $0.standardID == standard.id }.map(evidenceRow),
                "verdicts": StandardVerdict.allCases.map {
                    [
                        "value": $0.rawValue, "label": $0.words,
                        "checked": application.reviews[standard.id]?.verdict == $0,
                    ]
                },
            ]
            row["planValue"] = shown["plan-\(standard.id)"] ?? ""
            row["targetValue"] = shown["target-\(standard.id)"] ?? ""
            row["noteValue"] = shown["note-\(standard.id)"] ?? ""
            for part in ["assessment", "plan", "target", "note"] {
                if let message = messages["\(part)-\(standard.id)"] { row["\(part)Error"] = message }
            }
            if answer.assessment == .workingTowards { row["workingTowards"] = true }
            if application.evidence.contains(where: { $0.standardID == standard.id }) { row["hasEvidence"] = true }
            if let review = application.reviews[standard.id] {
                row["review"] = (["verdict": review.verdict.words] as [String: Any]).with("note", review.note)
                row["reviewNote"] = review.note ?? ""
            }
            return row
        }
        data["requests"] = application.requests.map { request -> [String: Any] in
            ([
                "questions": request.questions, "asked": WebPage.time(request.askedAt),
            ] as [String: Any]).with("answer", request.answer).with("answered", request.answeredAt.map(WebPage.time))
        }
        if let request = application.openRequest { data["openRequest"] = ["questions": request.questions] }
        if let decision = application.decision {
            data["decision"] = (["words": decision.rawValue, "reasons": application.reasons ?? ""] as [String: Any])
                .with("when", application.decidedAt.map(WebPage.time))
        }
        data.merge(errors(problems).templateData) { _, new in new }
        return data
    }

    static func evidenceRow(_ file: EvidenceSummary) -> [String: Any] {
        [
            "id": file.id, "filename": file.filename, "type": file.type.label,
            "size": EvidenceFile.megabytes(file.sizeBytes), "sha256": file.sha256, "application": file.applicationID,
        ]
    }

    /// An evidence file from the application form: `csrf_token`, `standard` (optional) and `file`, as
    /// `multipart/form-data`. A refused file is said beside the file field and nothing is stored.
    static func uploadEvidence(
        _ request: Request, access: ApplicantAccess, context: CharterRequestContext, store: ApplicationStore,
        pool: PGPool
    ) async throws -> Response {
        guard let boundary = MultipartParser.boundary(fromContentType: request.headers[.contentType] ?? "") else {
            throw Problem(.unsupportedMediaType, "The evidence form is sent as multipart/form-data.")
        }
        let reader = MultipartBodyReader(
            body: request.body, boundary: boundary, maximumBytes: EvidenceFile.maximumBytes + 64 * 1024)
        var csrf: String?
        var standard: String?
        while let event = try await reader.nextEvent() {
            guard case .partBegin(let part) = event else { continue }
            switch part.name {
            case "csrf_token":
                csrf = String(decoding: try await reader.collectPart(named: "csrf_token", limit: 256), as: UTF8.self)
            case "standard":
                let text = String(decoding: try await reader.collectPart(named: "standard", limit: 256), as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                standard = text.isEmpty ? nil : text
            case "file":
                try access.requireCSRF(csrf)
                let filename = part.filename ?? ""
                let refusal: ApplicationProblem
                do {
                    let content = try await reader.collectPart(named: "file", limit: EvidenceFile.maximumBytes)
                    _ = try await store.addEvidence(
                        id: access.applicationID, standardID: standard, filename: filename, content: content,
                        actor: access.actor)
                    var response = WebPage.redirect(to: "/apply/application#evidence")
                    response.setCookie(WebNotice.application(.evidenceAdded).cookie)
                    return response
                } catch let problems as ApplicationProblems {
                    refusal = problems.problems.first ?? ApplicationProblem(field: "file", "The file was refused.")
                } catch let problem as Problem where problem.status == .contentTooLarge {
                    refusal = ApplicationProblem(
                        field: "file",
                        "\((filename.isEmpty ? "The file" : filename)) is larger than 10 MB, the most an evidence file may be; nothing was stored."
                    )
                } catch let error as CharterStoreError where error.code == .conflict {
                    throw Problem(.conflict, error.message.asSentence)
                }
                return try await applicationPage(
                    access, context: context, store: store, pool: pool, refused: ([:], [refusal]),
                    status: refusal.message.contains("larger than") ? .contentTooLarge : .unprocessableContent)
            default:
                throw Problem(.badRequest, "The evidence form has no field named \(part.name.excerpt()).")
            }
        }
        try access.requireCSRF(csrf)
        throw Problem(.badRequest, "The form had no file; choose one to upload.")
    }

    /// An evidence file as a download: never shown inline (SPEC §10), never sniffed, never cached.
    static func evidenceDownload(applicationID: Int64, fileID: Int64, store: ApplicationStore) async throws -> Response
    {
        guard let (file, content) = try await store.evidence(applicationID: applicationID, fileID: fileID) else {
            throw Problem(.notFound, "There is no evidence file \(fileID) of application \(applicationID).")
        }
        var headers = HTTPFields()
        headers[.contentType] = file.type.mediaType
        headers[.contentDisposition] = contentDisposition(file.filename)
        headers[.cacheControl] = "private, no-store"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[.contentSecurityPolicy] = "default-src 'none'; sandbox"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: content)))
    }

    /// `attachment` with the name as ASCII (others as `_`) and, for the rest, RFC 6266's `filename*`.
    static func contentDisposition(_ name: String) -> String {
        let ascii = String(
            name.unicodeScalars.map { scalar -> Character in
                scalar.isASCII && scalar.value >= 0x20 && scalar != "\"" && scalar != "\\" && scalar != ";"
                    ? Character(scalar) : "_"
            })
        let encoded =
            name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: ".-_")))
            ?? ascii
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
}

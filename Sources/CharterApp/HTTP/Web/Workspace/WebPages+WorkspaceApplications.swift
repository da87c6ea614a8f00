import CharterAccess
import CharterDomain
import CharterStore
import Foundation
import HTTPTypes
import Hummingbird
import PGClient

extension WebPages {
    /// Applications in the workspace (SPEC §10 "Assessment"): the list by status; each application with
    /// its self-assessment and evidence, a review of each standard, asking the applicant for more, and
    /// the decision with reasons (after a confirmation: approval makes the employer, its contact, an
    /// invited user and the pledge).
    static func registerWorkspaceApplications(
        on group: RouterGroup<CharterRequestContext>, services: WorkspaceServices
    ) {
        let pool = services.pool
        let store = ApplicationStore(pool: pool)
        group.get("/admin/applications") { request, context -> Response in
            _ = try Workspace.require(.readApplications, context: context)
            let query = ListQuery(request, filters: ["status"])
            let status = query["status"].flatMap(ApplicationStatus.init(rawValue:))
            let applications = try await store.list(status: status, offset: query.offset, limit: ListQuery.pageSize)
            let total = try await store.count(status: status)
            return Workspace.render(
                "workspace-applications",
                [
                    "applications": applications.map { application -> [String: Any] in
                        ([
                            "href": "/admin/applications/\(application.id)", "id": application.id,
                            "organisation": application.organisationName,
                            "companyNumber": application.companyNumber ?? "", "status": application.status.words,
                            "tier": application.tier?.rawValue ?? "", "started": WebPage.time(application.createdAt),
                        ] as [String: Any])
                        .with("submitted", application.submittedAt.map(WebPage.time))
                        .with("decision", application.decision?.rawValue)
                    },
                    "statuses": ApplicationStatus.allCases.map {
                        ["value": $0.rawValue, "label": $0.rawValue, "selected": status == $0]
                    },
                    "empty": applications.isEmpty,
                    "paging": query.paging("/admin/applications", shown: applications.count, total: total),
                ], section: "/admin/applications", context: context)
        }
        group.get("/admin/applications/:application") { _, context -> Response in
            _ = try Workspace.require(.readApplications, context: context)
            return try await workspaceApplicationPage(
                try CharterAPI.id("application", context), context: context, store: store, pool: pool)
        }
        group.post("/admin/applications/:application/reviews") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let principal = try Workspace.require(.assessApplications, context: context)
            let id = try CharterAPI.id("application", context)
            guard let application = try await store.find(id: id) else {
                throw Problem(.notFound, "There is no application \(id).")
            }
            do {
                for (standard, _) in application.standards {
                    guard let verdict = form["verdict-\(standard.id)"].flatMap(StandardVerdict.init(rawValue:)) else {
                        continue
                    }
                    try await store.review(
                        id: id, standardID: standard.id, verdict: verdict, note: form["review-\(standard.id)"],
                        actor: principal.actor)
                }
            } catch let problems as ApplicationProblems {
                return try await workspaceApplicationPage(
                    id, context: context, store: store, pool: pool, refused: (form.fields, problems.problems))
            } catch let error as CharterStoreError where error.code == .conflict {
                throw Problem(.conflict, error.message.asSentence)
            }
            return Workspace.redirect(
                to: "/admin/applications/\(id)", notice: WorkspaceNotice(.reviewsSaved, id))
        }
        group.post("/admin/applications/:application/ask") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let principal = try Workspace.require(.assessApplications, context: context)
            let id = try CharterAPI.id("application", context)
            do {
                try await store.askForMore(
                    id: id, questions: form.fields["questions"] ?? "", actor: principal.actor,
                    mail: try mailQueue(services.reportQueue))
            } catch let problems as ApplicationProblems {
                return try await workspaceApplicationPage(
                    id, context: context, store: store, pool: pool, refused: (form.fields, problems.problems))
            } catch let error as CharterStoreError where error.code == .conflict {
                throw Problem(.conflict, error.message.asSentence)
            }
            return Workspace.redirect(to: "/admin/applications/\(id)", notice: WorkspaceNotice(.moreRequested, id))
        }
        group.post("/admin/applications/:application/decide") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let principal = try Workspace.require(.assessApplications, context: context)
            let id = try CharterAPI.id("application", context)
            let reasons = form.fields["reasons"] ?? ""
            func refuse(_ field: String, _ message: String) async throws -> Response {
                try await workspaceApplicationPage(
                    id, context: context, store: store, pool: pool,
                    refused: (form.fields, [ApplicationProblem(field: field, message)]))
            }
            guard let decision = form["decision"].flatMap(ApplicationDecision.init(rawValue:)) else {
                return try await refuse("decision", "Choose the decision: aspiring, accredited or declined.")
            }
            if reasons.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                return try await refuse("reasons", "Give the reasons for the decision; the applicant is sent them.")
            }
            guard form["confirm"] == "yes" else {
                let what =
                    decision == .declined
                    ? "The application will be declined and the applicant emailed your reasons."
                    : "The employer will be created or updated with its contact, the applicant invited to set a "
                        + "password if they have no account, and a pledge at \(decision.rawValue) started from today. "
                        + "The applicant is emailed your reasons."
                return Workspace.confirm(
                    title: "Decide application \(id): \(decision.rawValue)", sentence: what,
                    action: "/admin/applications/\(id)/decide",
                    fields: ["decision": decision.rawValue, "reasons": reasons],
                    button: "Decide: \(decision.rawValue)", cancel: "/admin/applications/\(id)",
                    section: "/admin/applications", context: context)
            }
            let outcome: ApplicationOutcome
            do {
                outcome = try await store.decide(
                    id: id, decision: decision, reasons: reasons, actor: principal.actor,
                    mail: try mailQueue(services.reportQueue))
            } catch let problems as ApplicationProblems {
                return try await workspaceApplicationPage(
                    id, context: context, store: store, pool: pool, refused: (form.fields, problems.problems))
            } catch let error as CharterStoreError where error.code == .conflict || error.code == .notFound {
                throw Problem(error.code == .conflict ? .conflict : .notFound, error.message.asSentence)
            }
            return Workspace.redirect(
                to: "/admin/applications/\(id)",
                notice: WorkspaceNotice(.applicationDecided, id, outcome.employerID ?? 0))
        }
    }

    static func workspaceApplicationPage(
        _ id: Int64, context: CharterRequestContext, store: ApplicationStore, pool: PGPool,
        refused: ([String: String], [ApplicationProblem])? = nil
    ) async throws -> Response {
        guard let application = try await store.find(id: id) else {
            throw Problem(.notFound, "There is no application \(id).")
        }
        let problems = refused?.1 ?? []
        var data = applicationData(application, values: nil, problems: problems)
        data["evidenceBase"] = "/applications/\(id)/evidence"
        data["submittedNow"] = application.status == .submitted
        if let principal = context.principal, let employerID = application.employerID, application.status.isOpen,
            let readiness = try await readinessIfAspiring(employerID, principal: principal, pool: pool)
        {
            data["readiness"] = readiness
        }
        if let employerID = application.employerID { data["employerHref"] = "/admin/employers/\(employerID)" }
        data["decisions"] = ApplicationDecision.allCases.map {
            ["value": $0.rawValue, "checked": refused?.0["decision"] == $0.rawValue]
        }
        data["form"] = ["questions": refused?.0["questions"] ?? "", "reasons": refused?.0["reasons"] ?? ""]
        return Workspace.render(
            "workspace-application", data, section: "/admin/applications", change: .assessApplications,
            context: context, status: refused == nil ? .ok : .unprocessableContent)
    }
}

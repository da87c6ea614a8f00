import CharterAccess
import CharterDomain
import CharterStore
import Foundation
import HTTPTypes
import Hummingbird
import PGClient

extension WebPages {
    /// Reps in the workspace: the list, adding a rep with the employers they cover, and changing a rep's
    /// coverage.
    static func registerWorkspaceReps(on group: RouterGroup<CharterRequestContext>, services: WorkspaceServices) {
        let pool = services.pool
        group.get("/admin/reps") { _, context -> Response in
            _ = try Workspace.require(.readReps, context: context)
            return try await repsPage(context: context, pool: pool)
        }
        group.post("/admin/reps") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let principal = try Workspace.require(.writeReps, context: context)
            var errors = FormErrors()
            let name = form["name"]
            let email = form["email"]
            if name == nil { errors.add("name", "Enter the rep's name.") }
            if email == nil { errors.add("email", "Enter the rep's email address.") }
            let typed = try await typedEmployers(form["covers"], pool: pool)
            if let refusal = typed.refusal { errors.add("covers", refusal) }
            let covers = Array(Set(typed.ids)).sorted()
            if errors.isEmpty, let name, let email {
                do {
                    let rep = try await RepStore(pool: pool).add(
                        name: name, email: email, unionName: form["union_name"], covers: covers, actor: principal.actor)
                    return Workspace.redirect(to: "/admin/reps", notice: WorkspaceNotice(.repAdded, rep.id))
                } catch let error as CharterStoreError where error.code == .notFound {
                    errors.add("covers", sentence(error.message))
                } catch let error as CharterStoreError {
                    errors.add("email", sentence(error.message))
                } catch let error as CharterDomainError {
                    errors.add(
                        error.field == "name" ? "name" : error.field == "union_name" ? "union_name" : "email",
                        sentence(error.message))
                }
            }
            return try await repsPage(context: context, pool: pool, refused: (form, errors))
        }
        group.get("/admin/reps/:rep") { _, context -> Response in
            _ = try Workspace.require(.readReps, context: context)
            return try await repPage(try CharterAPI.id("rep", context), context: context, pool: pool)
        }
        group.post("/admin/reps/:rep/coverage") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let principal = try Workspace.require(.writeReps, context: context)
            let id = try CharterAPI.id("rep", context)
            // The employers still ticked, and those typed to add.
            let kept = coverage(form)
            let added = try await typedEmployers(form["add_employers"], pool: pool)
            var errors = FormErrors()
            if let refusal = added.refusal { errors.add("add_employers", refusal) }
            if errors.isEmpty {
                do {
                    _ = try await RepStore(pool: pool).setCoverage(
                        repID: id, employerIDs: Array(Set(kept + added.ids)).sorted(), actor: principal.actor)
                } catch let error as CharterStoreError
                    where error.code == .notFound && error.message.contains("employer")
                {
                    errors.add("add_employers", sentence(error.message))
                }
            }
            guard errors.isEmpty else {
                return try await repPage(
                    id, context: context, pool: pool, refused: (kept, form["add_employers"] ?? "", errors))
            }
            return Workspace.redirect(to: "/admin/reps/\(id)", notice: WorkspaceNotice(.repUpdated, id))
        }
    }

    /// The employer ids ticked in a form's coverage checkboxes, one field `cover-<employer id>=yes` each
    /// (distinct names, as a form field is read once).
    static func coverage(_ form: WebForm) -> [Int64] {
        form.fields.compactMap { name, value in
            guard name.hasPrefix("cover-"), value == "yes" else { return nil }
            return Int64(name.dropFirst("cover-".count))
        }.sorted()
    }

    static func repsPage(
        context: CharterRequestContext, pool: PGPool, refused: (WebForm, FormErrors)? = nil
    ) async throws -> Response {
        let reps = try await RepStore(pool: pool).list()
        let names = try await EmployerStore(pool: pool).names(of: reps.flatMap(\.coveredEmployerIDs))
        var data: [String: Any] = [
            "reps": reps.map { rep -> [String: Any] in
                ([
                    "href": "/admin/reps/\(rep.id)", "name": rep.name, "email": rep.email,
                    "covers": rep.coveredEmployerIDs.map { names[$0] ?? "employer \($0)" }.joined(separator: ", "),
                ] as [String: Any]).with("union", rep.unionName)
            }
        ]
        var status = HTTPResponse.Status.ok
        if let (form, errors) = refused {
            data["values"] = form.fields
            data.merge(errors.templateData) { _, new in new }
            status = .unprocessableContent
        }
        return Workspace.render(
            "workspace-reps", data, section: "/admin/reps", change: .writeReps, context: context, status: status)
    }

    /// A rep's page: the employers they cover, each ticked to keep, and a field to add more by typing them.
    static func repPage(
        _ id: Int64, context: CharterRequestContext, pool: PGPool,
        refused: (kept: [Int64], typed: String, errors: FormErrors)? = nil
    ) async throws -> Response {
        guard let rep = try await RepStore(pool: pool).find(id: id) else {
            throw Problem(.notFound, "There is no rep \(id).")
        }
        let ticked = Set(refused?.kept ?? rep.coveredEmployerIDs)
        let names = try await EmployerStore(pool: pool).names(of: rep.coveredEmployerIDs)
        let covered = rep.coveredEmployerIDs.sorted { (names[$0] ?? "").lowercased() < (names[$1] ?? "").lowercased() }
        var data: [String: Any] = [
            "id": id, "name": rep.name, "email": rep.email, "union": rep.unionName ?? "not given",
            "covered": covered.map { ["name": names[$0] ?? "employer \($0)", "href": "/admin/employers/\($0)"] },
            "employers": covered.map { employer -> [String: Any] in
                [
                    "id": employer, "name": names[employer] ?? "employer \(employer)",
                    "checked": ticked.contains(employer),
                ]
            },
            "hasCovered": !covered.isEmpty, "typed": refused?.typed ?? "",
        ]
        var status = HTTPResponse.Status.ok
        if let (_, _, errors) = refused {
            data.merge(errors.templateData) { _, new in new }
            status = .unprocessableContent
        }
        return Workspace.render(
            "workspace-rep", data, section: "/admin/reps", change: .writeReps, context: context, status: status)
    }
}

extension WebPages {
    /// The people side of the workspace: employers (with the GPG import and each employer's page), reps,
    /// users and API tokens, and the public set-password page invitations link to.
    static func registerWorkspacePeople(on group: RouterGroup<CharterRequestContext>, services: WorkspaceServices) {
        registerWorkspaceEmployers(on: group, services: services)
        registerWorkspaceReps(on: group, services: services)
        registerWorkspaceAccess(on: group, services: services)
        registerWorkspaceApplications(on: group, services: services)
    }
}

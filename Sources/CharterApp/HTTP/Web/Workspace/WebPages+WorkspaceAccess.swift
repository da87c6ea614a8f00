import CharterAccess
import CharterDomain
import CharterStore
import Foundation
import HTTPTypes
import Hummingbird
import PGClient

extension WebPages {
    /// Who may use CharterWatch: users (invite by email, disable, enable, reset), API tokens (create,
    /// shown once; revoke with a confirmation step), and the public page where an invited user sets a
    /// password.
    static func registerWorkspaceAccess(on group: RouterGroup<CharterRequestContext>, services: WorkspaceServices) {
        let pool = services.pool
        let users = services.users
        let mail = services.reportQueue
        group.get("/admin/users") { _, context -> Response in
            _ = try Workspace.require(.readUsers, context: context)
            return try await usersPage(context: context, pool: pool, users: users)
        }
        group.post("/admin/users") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let principal = try Workspace.require(.writeUsers, context: context)
            var errors = FormErrors()
            let name = form["name"]
            let email = form["email"]
            if name == nil { errors.add("name", "Enter the person's name.") }
            if email == nil { errors.add("email", "Enter the person's email address.") }
            let (role, employerID, repID) = try await binding(
                form, pool: pool, employer: "the employer this user belongs to", rep: "the rep this user is",
                errors: &errors)
            guard let mail else {
                throw Problem(.serviceUnavailable, "Email is not set up on this server, so no invitation can be sent.")
            }
            if errors.isEmpty, let name, let email, let role {
                do {
                    let link = try await users.invite(
                        email: email, displayName: name, role: role, employerID: employerID, repID: repID,
                        by: principal.actor, mail: mail)
                    return Workspace.redirect(to: "/admin/users", notice: WorkspaceNotice(.userInvited, link.user.id))
                } catch let error as CharterStoreError {
                    let field =
                        error.message.contains("employer")
                        ? "employer" : error.message.contains("rep ") ? "rep" : "email"
                    errors.add(field, sentence(error.message))
                } catch let error as CharterDomainError {
                    errors.add(error.field == "display_name" ? "name" : "email", sentence(error.message))
                }
            }
            return try await usersPage(context: context, pool: pool, users: users, refused: (form, errors))
        }
        group.post("/admin/users/:user/:change") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let principal = try Workspace.require(.writeUsers, context: context)
            let id = try CharterAPI.id("user", context)
            switch context.parameters.get("change") {
            case "disable":
                guard Principal.userActor(id) != principal.actor else {
                    throw Problem(.conflict, "You cannot disable yourself; ask another admin.")
                }
                _ = try await users.disable(id: id, by: principal.actor)
                return Workspace.redirect(to: "/admin/users", notice: WorkspaceNotice(.userDisabled, id))
            case "enable":
                _ = try await users.enable(id: id, by: principal.actor)
                return Workspace.redirect(to: "/admin/users", notice: WorkspaceNotice(.userEnabled, id))
            case "reset":
                guard let mail else {
                    throw Problem(.serviceUnavailable, "Email is not set up on this server, so no link can be sent.")
                }
                _ = try await users.sendPasswordReset(id: id, by: principal.actor, mail: mail)
                return Workspace.redirect(to: "/admin/users", notice: WorkspaceNotice(.userReset, id))
            default:
                throw Problem(.notFound, "A user can be disabled, enabled or reset, nothing else.")
            }
        }
        group.get("/admin/tokens") { _, context -> Response in
            _ = try Workspace.require(.readTokens, context: context)
            return try await tokensPage(context: context, pool: pool)
        }
        group.post("/admin/tokens") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let principal = try Workspace.require(.writeTokens, context: context)
            var errors = FormErrors()
            let (role, employerID, repID) = try await binding(
                form, pool: pool, employer: "the employer the token is for", rep: "the rep the token acts for",
                errors: &errors)
            if errors.isEmpty, let role {
                do {
                    let issued = try await TokenStore(pool: pool).create(
                        role: role, employerID: employerID, repID: repID, label: form["label"], expiresAt: nil,
                        createdBy: principal.actor)
                    // Shown on this response only (never stored, never in a redirect): a reload asks to
                    // send the form again rather than showing the token twice.
                    return try await tokensPage(
                        context: context, pool: pool, created: (issued.token.text, issued.record.prefix))
                } catch let error as CharterStoreError {
                    errors.add(
                        error.message.contains("employer")
                            ? "employer" : error.message.contains("rep") ? "rep" : "role",
                        sentence(error.message))
                } catch let error as CharterDomainError {
                    errors.add("label", sentence(error.message))
                }
            }
            return try await tokensPage(context: context, pool: pool, refused: (form, errors))
        }
        group.post("/admin/tokens/:token/revoke") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let principal = try Workspace.require(.writeTokens, context: context)
            let id = try CharterAPI.id("token", context)
            guard form["confirm"] == "yes" else {
                guard let token = try await TokenStore(pool: pool).list().first(where: { $0.id == id }) else {
                    throw Problem(.notFound, "There is no token \(id).")
                }
                return Workspace.confirm(
                    title: "Revoke token \(token.prefix)?",
                    sentence:
                        "The \(token.role.rawValue) token \(token.prefix)\(token.label.map { " (\($0))" } ?? "") stops"
                        + " working at once: whatever uses it is refused from its next request. A revoked token cannot"
                        + " be brought back; create a new one instead.",
                    action: "/admin/tokens/\(id)/revoke", button: "Revoke the token", cancel: "/admin/tokens",
                    section: "/admin/tokens", context: context)
            }
            _ = try await TokenStore(pool: pool).revoke(id: id, by: principal.actor)
            return Workspace.redirect(to: "/admin/tokens", notice: WorkspaceNotice(.tokenRevoked, id))
        }
        group.get("/set-password") { request, context -> Response in
            try await setPasswordPage(request, context: context, users: users)
        }
        group.post("/set-password") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try SignInFormToken.require(request, form: form)
            let token = form["token"] ?? ""
            var errors = FormErrors()
            let password = form.fields["password"] ?? ""
            if password != (form.fields["confirm_password"] ?? "") {
                errors.add("confirm_password", "The two passwords are not the same; type the same password twice.")
            }
            if errors.isEmpty {
                do {
                    _ = try await users.setPassword(token: token, password: password)
                    var response = WebPage.redirect(to: "/sign-in")
                    response.setCookie(SignInFormToken.clearing)
                    return response
                } catch let error as CharterStoreError where error.code == .invalid {
                    errors.add("password", sentence(error.message))
                }
            }
            return try await setPasswordPage(request, context: context, users: users, token: token, errors: errors)
        }
    }

    /// The role and binding a user's or token's form gives (`workspace-binding-fields`): the employer typed
    /// for the employer role, the rep chosen for the rep role; what is missing or names no single employer
    /// is added to `errors`, saying `employer` or `rep` (what the binding is, for the sentence).
    static func binding(
        _ form: WebForm, pool: PGPool, employer: String, rep: String, errors: inout FormErrors
    ) async throws -> (role: Role?, employerID: Int64?, repID: Int64?) {
        let role = form["role"].flatMap(Role.init(rawValue:))
        if role == nil { errors.add("role", "Choose a role: admin, viewer, employer or rep.") }
        var employerID: Int64?
        if role == .employer {
            let typed = try await typedEmployer(
                form["employer"], pool: pool, missing: "Enter the company number or name of \(employer).")
            employerID = typed.id
            if let refusal = typed.refusal { errors.add("employer", refusal) }
        }
        let repID = role == .rep ? form["rep"].flatMap { Int64($0) } : nil
        if role == .rep, repID == nil { errors.add("rep", "Choose \(rep).") }
        return (role, employerID, repID)
    }

    /// The rep and role choices for the binding fields (the employer is typed: `boundEmployer`).
    static func bindingChoices(pool: PGPool, values: [String: String]) async throws -> [String: Any] {
        let reps = try await RepStore(pool: pool).list()
        return [
            "repChoices": reps.map { rep -> [String: Any] in
                ["value": rep.id, "label": "\(rep.name) (\(rep.email))", "selected": values["rep"] == String(rep.id)]
            },
            "roleChoices": ["admin", "viewer", "employer", "rep"].map { role -> [String: Any] in
                ["value": role, "selected": (values["role"] ?? "viewer") == role]
            },
        ]
    }

    static func usersPage(
        context: CharterRequestContext, pool: PGPool, users: UserStore, refused: (WebForm, FormErrors)? = nil
    ) async throws -> Response {
        let listed = try await users.list()
        let names = try await EmployerStore(pool: pool).names(of: listed.compactMap(\.employerID))
        let reps = Dictionary(
            try await RepStore(pool: pool).list().map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let me = context.principal?.actor
        var data: [String: Any] = [
            "users": listed.map { user -> [String: Any] in
                let binding =
                    user.employerID.map { names[$0] ?? "employer \($0)" } ?? user.repID.map { reps[$0] ?? "rep \($0)" }
                    ?? ""
                return [
                    "userID": user.id, "name": user.displayName, "email": user.email, "role": user.role.rawValue,
                    "binding": binding, "created": WebPage.time(user.createdAt),
                    "state": user.disabledAt.map { "disabled \(WebPage.time($0))" } ?? "active",
                    "disabled": user.disabledAt != nil, "isMe": Principal.userActor(user.id) == me,
                ]
            }
        ]
        let values = refused?.0.fields ?? [:]
        data["values"] = values
        data.merge(try await bindingChoices(pool: pool, values: values)) { _, new in new }
        var status = HTTPResponse.Status.ok
        if let (_, errors) = refused {
            data.merge(errors.templateData) { _, new in new }
            status = .unprocessableContent
        }
        return Workspace.render(
            "workspace-users", data, section: "/admin/users", change: .writeUsers, context: context, status: status)
    }

    static func tokensPage(
        context: CharterRequestContext, pool: PGPool, refused: (WebForm, FormErrors)? = nil,
        created: (text: String, prefix: String)? = nil
    ) async throws -> Response {
        let listed = try await TokenStore(pool: pool).list()
        let names = try await EmployerStore(pool: pool).names(of: listed.compactMap(\.employerID))
        let reps = Dictionary(
            try await RepStore(pool: pool).list().map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var data: [String: Any] = [
            "tokens": listed.map { token -> [String: Any] in
                [
                    "tokenID": token.id, "prefix": token.prefix, "label": token.label ?? "",
                    "role": token.role.rawValue,
                    "binding": token.employerID.map { names[$0] ?? "employer \($0)" }
                        ?? token.repID.map { reps[$0] ?? "rep \($0)" } ?? "",
                    "created": WebPage.time(token.createdAt), "createdBy": token.createdBy,
                    "lastUsed": token.lastUsedAt.map(WebPage.time) ?? "never",
                    "state": token.revokedAt.map { "revoked \(WebPage.time($0))" }
                        ?? token.expiresAt.map { "expires \(WebPage.time($0))" } ?? "live",
                    "live": token.revokedAt == nil,
                ]
            }
        ]
        if let created {
            data["newToken"] = ["text": created.text, "prefix": created.prefix]
        }
        let values = refused?.0.fields ?? [:]
        data["values"] = values
        data.merge(try await bindingChoices(pool: pool, values: values)) { _, new in new }
        var status = HTTPResponse.Status.ok
        if let (_, errors) = refused {
            data.merge(errors.templateData) { _, new in new }
            status = .unprocessableContent
        }
        var response = Workspace.render(
            "workspace-tokens", data, section: "/admin/tokens", change: .writeTokens, context: context, status: status)
        if created != nil { response.headers[.cacheControl] = "no-store" }
        return response
    }

    /// The page a set-password link opens: who the link is for and the two password fields; a dead link
    /// says so (404) and offers nothing to fill in.
    static func setPasswordPage(
        _ request: Request, context: CharterRequestContext, users: UserStore, token: String? = nil,
        errors: FormErrors = FormErrors()
    ) async throws -> Response {
        let token = token ?? request.uri.queryParameters.get("token") ?? ""
        guard let user = try await users.passwordLinkUser(token: token) else {
            return WebPage.render(
                "error",
                [
                    "heading": "This link does not work any more",
                    "detail":
                        "A link to set a password works once, for a limited time, and a newer link replaces it."
                        + " Ask the charter team to send you a new one.",
                ], context: context, status: .notFound)
        }
        let formToken = SignInFormToken.current(request) ?? CSRFToken.generate()
        var data: [String: Any] = [
            "token": token, "email": user.email, "name": user.displayName, "formToken": formToken.text,
            "minimum": UserStore.minimumPasswordLength,
        ]
        data.merge(errors.templateData) { _, new in new }
        var response = WebPage.render(
            "set-password", data, context: context, status: errors.isEmpty ? .ok : .unprocessableContent)
        response.setCookie(SignInFormToken.cookie(formToken))
        response.headers[.cacheControl] = "no-store"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return response
    }
}

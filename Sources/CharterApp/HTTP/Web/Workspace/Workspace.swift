import CharterAccess
import CharterDomain
import Foundation
import HTTPTypes
import Hummingbird

/// The charter team's workspace under `/admin` (SPEC §9 "Web pages"): what its pages share.
///
/// Every page under `/admin` is behind `WorkspaceGate` (the charter team and viewers; anyone else gets
/// 403). A page asks `AccessPolicy` for each thing it shows and each form it offers, so a viewer sees
/// the same pages with no forms (`canChange`). A form posts the session's CSRF token, which the route
/// checks before anything else (`WebForm.requireCSRF`); the route then goes through the same use cases
/// and stores as the API (which audit every change) and says what it did on the next page
/// (`redirect(to:notice:)`). A form with mistakes comes back with `FormErrors` and the typed values.
enum Workspace {
    /// The sections of the workspace, in the order the navigation lists them.
    static let sections: [(path: String, label: String)] = [
        ("/admin", "Overview"),
        ("/admin/employers", "Employers"),
        ("/admin/applications", "Applications"),
        ("/admin/reps", "Reps"),
        ("/admin/users", "Users"),
        ("/admin/tokens", "API tokens"),
        ("/admin/exemptions", "Exemptions"),
        ("/admin/charter", "Charter"),
        ("/admin/runs", "Runs"),
        ("/admin/outbox", "Outbox"),
        ("/admin/audit", "Audit log"),
    ]

    /// `template` rendered in the workspace: `data` plus the section navigation (`{{>workspace-nav}}`;
    /// `section` is the path of the section the page belongs to, marked `aria-current`), the CSRF token
    /// as `csrf` for the forms, and `canChange` when the principal may do `change` — the page shows its
    /// forms only then.
    static func render(
        _ template: String, _ data: [String: Any], section: String, change: Action? = nil,
        context: CharterRequestContext, status: HTTPResponse.Status = .ok
    ) -> Response {
        var data = data
        data["workspaceNav"] = sections.map { link -> [String: Any] in
            var item: [String: Any] = ["href": link.path, "label": link.label]
            if link.path == section { item["current"] = true }
            return item
        }
        if let csrf = context.csrfToken { data["csrf"] = csrf.text }
        if let change, let principal = context.principal, allows(principal, change) {
            data["canChange"] = true
        }
        return WebPage.render(template, data, context: context, status: status)
    }

    /// Whether `principal` may do `action` across the service (the workspace's forms are not one
    /// employer's; an employer-scoped action with no employer is allowed only to those who see all).
    static func allows(_ principal: Principal, _ action: Action, employerID: Int64? = nil) -> Bool {
        AccessPolicy.decide(principal, action, employerID: employerID).isAllowed
    }

    /// The signed-in principal, refused with 403 and the policy's sentence unless it may do `action`.
    static func require(
        _ action: Action, employerID: Int64? = nil, context: CharterRequestContext
    ) throws -> Principal {
        let principal = try WebPages.principal(context)
        if case .denied(let reason) = AccessPolicy.decide(principal, action, employerID: employerID) {
            throw Problem(.forbidden, reason)
        }
        return principal
    }

    /// 303 to `location`, and `notice` said there.
    static func redirect(to location: String, notice: WorkspaceNotice) -> Response {
        var response = WebPage.redirect(to: location)
        response.setCookie(WebNotice.workspace(notice).cookie)
        return response
    }

    /// A confirmation step for what cannot be undone (revoking a token, ending a pledge, publishing a
    /// version): a page saying what will happen, with a form that posts `fields` and the CSRF token to
    /// `action`, and a link back to `cancel`. The route that receives it does the thing only when the
    /// form carries `confirm=yes`, which only this page sends.
    static func confirm(
        title: String, sentence: String, action: String, fields: [String: String] = [:], button: String,
        cancel: String, section: String, context: CharterRequestContext
    ) -> Response {
        render(
            "workspace-confirm",
            [
                "heading": title, "sentence": sentence, "action": action, "button": button, "cancel": cancel,
                "fields": fields.sorted { $0.key < $1.key }.map { ["name": $0.key, "value": $0.value] },
            ], section: section, context: context)
    }

    /// A CSV download (SPEC §8: every cell neutralised against formulas), named `filename`, never
    /// cached and never sniffed as anything else.
    static func csv(filename: String, header: [String], rows: [[String]]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(filename)\""
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(
            status: .ok, headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: CSVWriter.document(header: header, rows: rows))))
    }
}

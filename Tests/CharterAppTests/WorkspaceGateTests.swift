import CharterAccess
import CharterStore
import Foundation
import Hummingbird
import HummingbirdTesting
import PGClient
import Testing

@testable import CharterApp

/// The charter team's workspace is theirs and viewers': everyone else is kept out of every path under
/// `/admin`, existing or not, and the shared list and form parts behave as the pages rely on.
@Suite("The charter team's workspace: who gets in, and its shared parts", .timeLimit(.minutes(10)))
struct WorkspaceGateTests {
    @Test func onlyTheCharterTeamAndViewersGetIntoAnyAdminPath() async throws {
        let setup = try await WebPagesTests.setUp("workspace-gate")
        _ = try await setup.users.create(
            email: "look@charter.example", displayName: "Lou Viewer", role: .viewer, employerID: nil, repID: nil,
            password: WebPagesTests.password, by: "test")
        try await WebPagesTests.application(setup).test(.router) { client in
            let paths = ["/admin", "/admin/employers", "/admin/no-such-page", "/admin/audit.csv"]
            for email in ["jo@union.example", "hr@sefton.example"] {
                let cookie = try await WebPagesTests.signIn(client, email)
                for path in paths {
                    try await client.execute(uri: path, method: .get, headers: [.cookie: cookie]) { response in
                        #expect(response.status == .forbidden, "\(email) \(path)")
                        #expect(WebPagesTests.text(response).contains("cannot use the charter team"))
                    }
                }
                try await client.execute(uri: "/admin/employers", method: .post, headers: [.cookie: cookie]) {
                    #expect($0.status == .forbidden)
                }
            }
            // Nobody signed in is sent to sign in and brought back.
            try await client.execute(uri: "/admin/runs?job=x", method: .get) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/sign-in?next=/admin/runs%3Fjob%3Dx")
            }
            // A viewer sees the overview, without the users (security administration) and with no form
            // but signing out.
            let viewer = try await WebPagesTests.signIn(client, "look@charter.example")
            try await client.execute(uri: "/admin", method: .get, headers: [.cookie: viewer]) { response in
                #expect(response.status == .ok)
                let html = WebPagesTests.text(response)
                #expect(html.contains(#"aria-label="Charter team's workspace""#))
                #expect(html.contains("Sefton Care CIC"))
                #expect(!html.contains("<h2>Users</h2>"))
                #expect(html.components(separatedBy: #"method="post""#).count == 2)
            }
            let admin = try await WebPagesTests.signIn(client, "team@charter.example")
            try await client.execute(uri: "/admin", method: .get, headers: [.cookie: admin]) { response in
                #expect(response.status == .ok)
                let html = WebPagesTests.text(response)
                #expect(html.contains("<h2>Users</h2>"))
                #expect(html.contains(#"<a href="/admin" aria-current="page">Overview</a>"#))
            }
        }
        await setup.pool.close()
    }

    /// Every form of the workspace that changes something, by its route.
    static let forms = [
        "/admin/employers", "/admin/employers/1", "/admin/employers/1/contacts", "/admin/employers/1/contacts/1/remove",
        "/admin/employers/1/pledges", "/admin/employers/1/pledges/1/end", "/admin/gpg-import/confirm", "/admin/reps",
        "/admin/reps/1/coverage", "/admin/users", "/admin/users/1/disable", "/admin/tokens", "/admin/tokens/1/revoke",
        "/admin/exemptions", "/admin/exemptions/1/revoke", "/admin/charter/drafts", "/admin/charter/1/publish",
        "/admin/charter/1/standards/pay.real-living-wage", "/admin/charter/rates/rlw", "/admin/charter/rates/nmw",
        "/admin/charter/bank-holidays", "/admin/runs/nightly-compliance", "/admin/outbox/1/requeue",
        "/admin/audit/verify", "/admin/applications/1/reviews", "/admin/applications/1/ask",
        "/admin/applications/1/decide",
    ]

    /// No form of the workspace changes anything for a viewer (verifying the audit chain, which only
    /// reads, is a viewer's too), nor for the charter team without the
    /// session's token (a request another site made the browser send): each is a 403, and the audit log,
    /// where every change leaves a row, holds no more rows than before.
    @Test func everyWorkspaceFormRefusesAViewerAndARequestWithoutItsToken() async throws {
        let setup = try await WebPagesTests.setUp("workspace-forms")
        _ = try await setup.users.create(
            email: "look@charter.example", displayName: "Lou Viewer", role: .viewer, employerID: nil, repID: nil,
            password: WebPagesTests.password, by: "test")
        let audited = { @Sendable () async throws -> Int in
            try await setup.pool.withConnection {
                try await $0.query("SELECT count(*) FROM audit_log")[0].decode(Int.self, at: 0)
            }
        }
        try await WebPagesTests.application(setup).test(.router) { client in
            let viewer = try await WebPagesTests.signIn(client, "look@charter.example")
            let viewerToken = try await WebPagesTests.csrf(client, viewer, "/admin")
            let admin = try await WebPagesTests.signIn(client, "team@charter.example")
            let before = try await audited()
            let fields = [("name", "Changed Ltd"), ("confirm", "yes"), ("reasons", "x"), ("decision", "declined")]
            for path in Self.forms {
                try await client.execute(
                    uri: path, method: .post, headers: WebPagesTests.formHeaders(viewer),
                    body: WebPagesTests.encoded([("csrf_token", viewerToken)] + fields)
                ) { response in
                    // Verifying the audit chain only reads; a viewer may.
                    let expected: HTTPResponse.Status = path == "/admin/audit/verify" ? .ok : .forbidden
                    #expect(response.status == expected, "a viewer posting to \(path)")
                }
                try await client.execute(
                    uri: path, method: .post, headers: WebPagesTests.formHeaders(admin),
                    body: WebPagesTests.encoded(fields)
                ) { response in
                    #expect(response.status == .forbidden, "the charter team posting to \(path) without the token")
                    #expect(
                        WebPagesTests.text(response).contains("security token is missing or out of date"), "\(path)")
                }
            }
            #expect(try await audited() == before)
        }
        await setup.pool.close()
    }

    @Test func aListPagesAndKeepsItsFiltersInEveryLink() throws {
        let request = Request(
            head: .init(
                method: .get, scheme: "http", authority: "x", path: "/admin/employers?q=Care%20%26%20Co&sector=&page=2"),
            body: .init(buffer: ByteBuffer()))
        let query = ListQuery(request, filters: ["q", "sector"])
        #expect(query.page == 2)
        #expect(query["q"] == "Care & Co")
        #expect(query["sector"] == nil)
        #expect(query.offset == ListQuery.pageSize)
        let paging = query.paging("/admin/employers", shown: 50, total: 120)
        #expect(paging["summary"] as? String == "Showing 51 to 100 of 120.")
        #expect(paging["previous"] as? String == "/admin/employers?q=Care%20%26%20Co")
        #expect(paging["next"] as? String == "/admin/employers?q=Care%20%26%20Co&page=3")
        #expect(query.href("/admin/employers.csv") == "/admin/employers.csv?q=Care%20%26%20Co")
        let last = query.paging("/admin/employers", shown: 20, total: 70)
        #expect(last["next"] == nil)
        // A page number that is not one is the first page.
        let odd = ListQuery(
            Request(
                head: .init(method: .get, scheme: "http", authority: "x", path: "/admin/runs?page=-3"),
                body: .init(buffer: ByteBuffer())), filters: [])
        #expect(odd.page == 1)
        // As a browser's form sends a search: a space is a `+`, a typed plus is `%2B`.
        let typed = ListQuery(
            Request(
                head: .init(
                    method: .get, scheme: "http", authority: "x", path: "/register?q=Sefton+Care+%2B+Co&page=1"),
                body: .init(buffer: ByteBuffer())), filters: ["q"])
        #expect(typed["q"] == "Sefton Care + Co")
    }

    @Test func aFormSaysEachMistakeOnceInPageOrder() {
        var errors = FormErrors()
        #expect(errors.templateData.isEmpty)
        errors.add("name", "Enter the employer's name")
        errors.add("company_number", "Enter a company number like 01234567")
        errors.add("name", "a second sentence for the same field is dropped")
        let data = errors.templateData
        #expect(data["hasErrors"] as? Bool == true)
        let summary = data["errorSummary"] as? [[String: String]]
        #expect(summary?.map { $0["field"] } == ["name", "company_number"])
        #expect((data["errors"] as? [String: String])?["name"] == "Enter the employer's name")
    }

    @Test func aWorkspaceNoticeTravelsAsACodeAndNothingElseReadsAsOne() {
        let notice = WebNotice.workspace(WorkspaceNotice(.gpgImported, 3, 2, 9))
        #expect(notice.code == "workspace.gpg-imported.3.2.9")
        #expect(WebNotice(code: notice.code) == notice)
        #expect(
            notice.sentence(signedInName: nil) == "The import is done: 3 employers added, 2 updated, 9 unchanged.")
        for forged in ["workspace.nothing.1", "workspace.gpg-imported.x", "workspace.rate-added.1.2.3.4", "workspace"] {
            #expect(WebNotice(code: forged) == nil, "\(forged)")
        }
    }
}

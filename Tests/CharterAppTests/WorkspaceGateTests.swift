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

import CharterAccess
import CharterApp
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PGClient
import TestSupport
import Testing

/// The people side of the charter team's workspace through the Hummingbird test client: employers
/// (list, CSV, register, edit, contacts, pledges with overrides, GPG import with preview and confirm),
/// reps, users (invite, set password, disable, enable, reset) and API tokens — what an admin can do,
/// that a viewer sees the pages with no forms, that employers and reps get 403, that bad input is a
/// 422 with the error summary and stores nothing, and that every form needs its CSRF token.
@Suite("The workspace's people pages", .timeLimit(.minutes(10)))
struct WorkspacePeopleTests {
    typealias Web = WebPagesTests

    struct Setup {
        var base: WebPagesTests.Setup
        var pool: PGPool { base.pool }
    }

    static func setUp(_ name: String) async throws -> Setup {
        let base = try await Web.setUp(name)
        _ = try await base.users.create(
            email: "viewer@charter.example", displayName: "Vic Viewer", role: .viewer, employerID: nil, repID: nil,
            password: Web.password, by: "test")
        return Setup(base: base)
    }

    static func application(_ setup: Setup) throws -> some ApplicationProtocol {
        CharterServer.application(
            configuration: CharterConfiguration(), pool: setup.pool, logger: Logger(label: "test"),
            users: setup.base.users,
            reportQueue: ReportQueue(renderer: try ReportRenderer(configuration: CharterConfiguration())))
    }

    static func count(_ pool: PGPool, _ query: PGQuery) async throws -> Int {
        try await pool.withConnection { try await $0.query(query)[0].decode(Int.self, at: 0) }
    }

    /// POSTs `fields` (with the session's CSRF token from `page` unless `csrf` is false) to `uri`.
    static func post(
        _ client: some TestClientProtocol, _ cookie: String, _ uri: String, from page: String,
        _ fields: [(String, String)], csrf: Bool = true
    ) async throws -> TestResponse {
        var all = fields
        if csrf { all.insert(("csrf_token", try await Web.csrf(client, cookie, page)), at: 0) }
        return try await client.execute(
            uri: uri, method: .post, headers: Web.formHeaders(cookie), body: Web.encoded(all))
    }

    /// The notice the redirect's cookie carries, as the next page shows it.
    static func follow(_ client: some TestClientProtocol, _ cookie: String, _ response: TestResponse) async throws
        -> String
    {
        #expect(response.status == .seeOther)
        let location = try #require(response.headers[.location])
        var cookies = [cookie]
        for setCookie in response.headers[values: .setCookie] {
            if let pair = setCookie.split(separator: ";").first { cookies.append(String(pair)) }
        }
        let page = try await client.execute(
            uri: location, method: .get, headers: [.cookie: cookies.joined(separator: "; ")])
        #expect(page.status == .ok)
        return Web.text(page)
    }

    /// Whether `html` has a POST form other than sign-out.
    static func hasChangeForm(_ html: String) -> Bool {
        html.matches(of: /<form method="post" action="([^"]+)"/).contains { $0.1 != "/sign-out" }
    }

    @Test func anAdminRegistersAnEmployerAndBadInputStoresNothing() async throws {
        let setup = try await Self.setUp("ws-employers")
        try await Self.application(setup).test(.router) { client in
            let admin = try await Web.signIn(client, "team@charter.example")
            let registered = try await Self.post(
                client, admin, "/admin/employers", from: "/admin/employers",
                [
                    ("name", "Halton Buses Ltd"), ("company_number", "01234567"), ("sector", "private"),
                    ("london", "yes"),
                ])
            let page = try await Self.follow(client, admin, registered)
            #expect(page.contains("The employer was registered"))
            #expect(page.contains("Halton Buses Ltd"))
            let stored = try await EmployerStore(pool: setup.pool).list(search: "Halton")
            #expect(stored.first?.hasLondonWorkplaces == true)
            #expect(stored.first?.companyNumber?.value == "01234567")

            let before = try await Self.count(setup.pool, "SELECT count(*) FROM employers")
            let duplicate = try await Self.post(
                client, admin, "/admin/employers", from: "/admin/employers",
                [("name", "Another Ltd"), ("company_number", "01234567"), ("sector", "private")])
            #expect(duplicate.status == .unprocessableContent)
            let html = Web.text(duplicate)
            #expect(html.contains("There is a problem"))
            #expect(html.contains(##"href="#company_number""##))
            #expect(html.contains("Company number 01234567 is already registered to employer"))
            #expect(html.contains(#"value="Another Ltd""#))
            let bad = try await Self.post(
                client, admin, "/admin/employers", from: "/admin/employers",
                [("name", ""), ("company_number", "12"), ("sector", "private")])
            #expect(bad.status == .unprocessableContent)
            #expect(Web.text(bad).contains(##"href="#name""##))
            #expect(Web.text(bad).contains("is not a Companies House number"))
            #expect(try await Self.count(setup.pool, "SELECT count(*) FROM employers") == before)

            let noCSRF = try await Self.post(
                client, admin, "/admin/employers", from: "/admin/employers",
                [("name", "Sneaky Ltd"), ("sector", "private")], csrf: false)
            #expect(noCSRF.status == .forbidden)
            #expect(try await Self.count(setup.pool, "SELECT count(*) FROM employers") == before)

            // Search, filters and paging through the URL.
            try await client.execute(uri: "/admin/employers?q=halton", method: .get, headers: [.cookie: admin]) {
                let html = Web.text($0)
                #expect(html.contains("Halton Buses Ltd"))
                #expect(!html.contains("Wirral Ferries Ltd"))
                #expect(html.contains("Showing 1 to 1 of 1."))
            }
            try await client.execute(
                uri: "/admin/employers?pledge=aspiring", method: .get, headers: [.cookie: admin]
            ) {
                let html = Web.text($0)
                #expect(html.contains("Wirral Ferries Ltd"))
                #expect(!html.contains("Halton Buses Ltd"))
            }
            try await client.execute(uri: "/admin/employers?sector=nonsense", method: .get, headers: [.cookie: admin]) {
                #expect($0.status == .badRequest)
            }
        }
        await setup.pool.close()
    }

    @Test func theCSVHoldsTheFilteredEmployersWithFormulasNeutralised() async throws {
        let setup = try await Self.setUp("ws-employers-csv")
        _ = try await EmployerStore(pool: setup.pool).add(Employer(name: "=cmd|' /C calc'!A0"), actor: "test")
        try await Self.application(setup).test(.router) { client in
            let viewer = try await Web.signIn(client, "viewer@charter.example")
            try await client.execute(uri: "/admin/employers.csv?q=cmd", method: .get, headers: [.cookie: viewer]) {
                response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/csv") == true)
                let csv = Web.text(response)
                #expect(csv.contains("'=cmd"))
                #expect(!csv.contains(",=cmd"))
                #expect(!csv.contains("Sefton Care CIC"))
            }
        }
        await setup.pool.close()
    }

    @Test func aViewerSeesEveryPeoplePageWithNoFormAndEmployersAndRepsAreRefused() async throws {
        let setup = try await Self.setUp("ws-viewer")
        let pages = [
            "/admin/employers", "/admin/employers/\(setup.base.covered)", "/admin/reps", "/admin/employers.csv",
        ]
        try await Self.application(setup).test(.router) { client in
            let viewer = try await Web.signIn(client, "viewer@charter.example")
            let rep = try await RepStore(pool: setup.pool).list()[0]
            for page in pages + ["/admin/reps/\(rep.id)"] {
                try await client.execute(uri: page, method: .get, headers: [.cookie: viewer]) { response in
                    #expect(response.status == .ok, "\(page)")
                    #expect(!Self.hasChangeForm(Web.text(response)), "\(page)")
                }
            }
            // Users and tokens are the charter team's alone (the policy's sentence).
            for page in ["/admin/users", "/admin/tokens"] {
                try await client.execute(uri: page, method: .get, headers: [.cookie: viewer]) {
                    #expect($0.status == .forbidden)
                }
            }
            let refused = try await Self.post(
                client, viewer, "/admin/employers", from: "/admin/employers",
                [("name", "Viewer Ltd"), ("sector", "private")])
            #expect(refused.status == .forbidden)
            for email in ["hr@sefton.example", "jo@union.example"] {
                let cookie = try await Web.signIn(client, email)
                for page in pages + ["/admin/users", "/admin/tokens", "/admin/reps/\(rep.id)"] {
                    try await client.execute(uri: page, method: .get, headers: [.cookie: cookie]) {
                        #expect($0.status == .forbidden, "\(email) \(page)")
                    }
                }
            }
        }
        await setup.pool.close()
    }

    static func multipart(csrf: String, file: String) -> (HTTPFields, ByteBuffer) {
        let boundary = "----workspace-test-boundary"
        let body =
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n\(csrf)\r\n"
            + "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"gpg.csv\"\r\n"
            + "Content-Type: text/csv\r\n\r\n\(file)\r\n--\(boundary)--\r\n"
        return ([.contentType: "multipart/form-data; boundary=\(boundary)"], ByteBuffer(string: body))
    }

    @Test func aGPGUploadIsPreviewedWithItsErrorsThenImportedOnConfirmOnce() async throws {
        let setup = try await Self.setUp("ws-gpg")
        _ = try await EmployerStore(pool: setup.pool).upsert(
            [Employer(name: "Old Name Ltd", companyNumber: CompanyNumber("00000002"), gpgEmployerID: 2)], actor: "t",
            source: "t")
        let file = [
            "EmployerName,EmployerId,CompanyNumber", "New Name Ltd,2,00000002", "Fresh Ltd,3,00000003",
            "Broken Ltd,abc,00000004",
        ].joined(separator: "\r\n")
        try await Self.application(setup).test(.router) { client in
            let admin = try await Web.signIn(client, "team@charter.example")
            let csrf = try await Web.csrf(client, admin, "/admin/employers")
            let before = try await Self.count(setup.pool, "SELECT count(*) FROM employers")
            var (headers, body) = Self.multipart(csrf: csrf, file: file)
            headers[.cookie] = admin
            let preview = try await client.execute(
                uri: "/admin/gpg-import", method: .post, headers: headers, body: body)
            #expect(preview.status == .ok)
            let html = Web.text(preview)
            #expect(html.contains("<strong>1</strong> employers added"))
            #expect(html.contains("<strong>1</strong> updated"))
            #expect(html.contains("<td>4</td>"))
            #expect(try await Self.count(setup.pool, "SELECT count(*) FROM employers") == before)
            let upload = String(try #require(html.firstMatch(of: /name="upload" value="([A-Za-z0-9_-]+)"/)).1)

            let confirm = [("upload", upload)]
            let imported = try await Self.post(
                client, admin, "/admin/gpg-import/confirm", from: "/admin/employers", confirm)
            let page = try await Self.follow(client, admin, imported)
            #expect(page.contains("1 employers added, 1 updated, 0 unchanged"))
            #expect(try await Self.count(setup.pool, "SELECT count(*) FROM employers") == before + 1)
            #expect(try await EmployerStore(pool: setup.pool).list(search: "New Name").count == 1)
            let again = try await Self.post(
                client, admin, "/admin/gpg-import/confirm", from: "/admin/employers", confirm)
            #expect(again.status == .notFound)

            var (noToken, noTokenBody) = Self.multipart(csrf: "wrong", file: file)
            noToken[.cookie] = admin
            let forged = try await client.execute(
                uri: "/admin/gpg-import", method: .post, headers: noToken, body: noTokenBody)
            #expect(forged.status == .forbidden)
        }
        await setup.pool.close()
    }

    @Test func anEmployersContactsAndPledgesWithOverridesAreManagedFromItsPage() async throws {
        let setup = try await Self.setUp("ws-employer")
        let id = setup.base.other
        let page = "/admin/employers/\(id)"
        try await Self.application(setup).test(.router) { client in
            let admin = try await Web.signIn(client, "team@charter.example")
            let edited = try await Self.post(
                client, admin, page, from: page, [("name", "Wirral Ferries Limited"), ("sector", "public")])
            #expect(try await Self.follow(client, admin, edited).contains("details were saved"))
            #expect(try await EmployerStore(pool: setup.pool).find(id: id)?.sector == .public)

            let added = try await Self.post(
                client, admin, "\(page)/contacts", from: page,
                [("contact_name", "Pat Payroll"), ("contact_email", "pat@ferries.example"), ("contact_role", "HR")])
            #expect(try await Self.follow(client, admin, added).contains("pat@ferries.example"))
            let badEmail = try await Self.post(
                client, admin, "\(page)/contacts", from: page,
                [("contact_name", "Pat"), ("contact_email", "not an address")])
            #expect(badEmail.status == .unprocessableContent)
            #expect(Web.text(badEmail).contains(##"href="#contact_email""##))
            let contact = try #require(try await EmployerStore(pool: setup.pool).contacts(employerID: id).first)
            let removed = try await Self.post(
                client, admin, "\(page)/contacts/\(contact.id)/remove", from: page, [])
            #expect(try await Self.follow(client, admin, removed).contains("The contact was removed"))
            #expect(try await EmployerStore(pool: setup.pool).contacts(employerID: id).isEmpty)

            // A pledge overlapping the one in force is refused; end that one first, with a confirmation.
            let pledge = try #require(try await PledgeStore(pool: setup.pool).list(employerID: id).first)
            let ask = try await Self.post(
                client, admin, "\(page)/pledges/\(pledge.id)/end", from: page, [("ends_on", "2026-06-01")])
            #expect(ask.status == .ok)
            #expect(Web.text(ask).contains(#"name="confirm" value="yes""#))
            #expect(try await PledgeStore(pool: setup.pool).list(employerID: id).first?.validTo == nil)
            let ended = try await Self.post(
                client, admin, "\(page)/pledges/\(pledge.id)/end", from: page,
                [("ends_on", "2026-06-01"), ("confirm", "yes")])
            #expect(try await Self.follow(client, admin, ended).contains("The pledge was ended"))

            let loosening = try await Self.post(
                client, admin, "\(page)/pledges", from: page,
                [
                    ("tier", "accredited"), ("valid_from", "2026-06-01"),
                    ("override-hours.zero-hours-share-threshold_percent", "90"),
                ])
            #expect(loosening.status == .unprocessableContent)
            let refusal = Web.text(loosening)
            #expect(refusal.contains(##"href="#override-hours.zero-hours-share-threshold_percent""##))
            #expect(
                refusal.contains(
                    "This override is refused: hours.zero-hours-share threshold_percent 90 would loosen the standard"))
            #expect(try await PledgeStore(pool: setup.pool).list(employerID: id).count == 1)
            let tightening = try await Self.post(
                client, admin, "\(page)/pledges", from: page,
                [
                    ("tier", "accredited"), ("valid_from", "2026-06-01"), ("living_hours", "yes"),
                    ("override-hours.zero-hours-share-threshold_percent", "2"),
                ])
            #expect(try await Self.follow(client, admin, tightening).contains("The pledge was added"))
            let newest = try #require(try await PledgeStore(pool: setup.pool).list(employerID: id).first)
            #expect(newest.tier == "accredited" && newest.livingHours)
            #expect(
                newest.overrides.contains("\"threshold_percent\": 2")
                    || newest.overrides.contains("threshold_percent\":2"))
        }
        await setup.pool.close()
    }

    @Test func anAdminAddsARepAndChangesTheirCoverage() async throws {
        let setup = try await Self.setUp("ws-reps")
        try await Self.application(setup).test(.router) { client in
            let admin = try await Web.signIn(client, "team@charter.example")
            let added = try await Self.post(
                client, admin, "/admin/reps", from: "/admin/reps",
                [
                    ("name", "Sam Steward"), ("email", "sam@union.example"), ("union_name", "Unite"),
                    ("covers", "Wirral Ferries\n\n"),
                ])
            #expect(try await Self.follow(client, admin, added).contains("The rep was added"))
            let rep = try #require(try await RepStore(pool: setup.pool).list().first { $0.name == "Sam Steward" })
            #expect(rep.coveredEmployerIDs == [setup.base.other])
            // Employers are typed one on each line; a line naming none or several is refused by its number,
            // nothing is added, and what was typed stays in the field.
            let unclear = try await Self.post(
                client, admin, "/admin/reps", from: "/admin/reps",
                [("name", "Kit Steward"), ("email", "kit@union.example"), ("covers", "Sefton Care CIC\ne\nNowhere")])
            #expect(unclear.status == .unprocessableContent)
            let refusal = Web.text(unclear)
            #expect(refusal.contains("Line 2: “e” could be Sefton Care CIC, Wirral Ferries Ltd"), "\(refusal)")
            #expect(refusal.contains("Line 3: No employer has the company number or name “Nowhere”"))
            #expect(refusal.contains("Sefton Care CIC\ne\nNowhere</textarea>"))
            #expect(try await RepStore(pool: setup.pool).list().first { $0.name == "Kit Steward" } == nil)
            let duplicate = try await Self.post(
                client, admin, "/admin/reps", from: "/admin/reps",
                [("name", "Sam Again"), ("email", "SAM@union.example")])
            #expect(duplicate.status == .unprocessableContent)
            #expect(Web.text(duplicate).contains("is already the email of rep"))
            // The rep's page ticks the employers they cover and adds those typed.
            let changed = try await Self.post(
                client, admin, "/admin/reps/\(rep.id)/coverage", from: "/admin/reps/\(rep.id)",
                [("cover-\(setup.base.other)", "yes"), ("add_employers", "sefton care cic")])
            #expect(try await Self.follow(client, admin, changed).contains("coverage were saved"))
            #expect(
                try await RepStore(pool: setup.pool).find(id: rep.id)?.coveredEmployerIDs.sorted()
                    == [setup.base.covered, setup.base.other].sorted())
            // Unticked, an employer is no longer covered.
            let narrowed = try await Self.post(
                client, admin, "/admin/reps/\(rep.id)/coverage", from: "/admin/reps/\(rep.id)",
                [("cover-\(setup.base.covered)", "yes")])
            #expect(try await Self.follow(client, admin, narrowed).contains("coverage were saved"))
            #expect(try await RepStore(pool: setup.pool).find(id: rep.id)?.coveredEmployerIDs == [setup.base.covered])
        }
        await setup.pool.close()
    }

    /// The set-password link in an invitation the outbox holds (quoted-printable undone).
    static func link(in pool: PGPool, to email: String) async throws -> String {
        let messages = try await pool.withConnection { connection in
            try await connection.query(
                "SELECT message FROM outbox_messages WHERE kind = 'invitation' AND recipient = \(email) ORDER BY id DESC"
            ).map { String(decoding: try $0.decode(PGBytes.self, column: "message").bytes, as: UTF8.self) }
        }
        let text = try #require(messages.first).replacingOccurrences(of: "=\r\n", with: "")
            .replacingOccurrences(of: "=3D", with: "=")
        return String(try #require(text.firstMatch(of: /token=([A-Za-z0-9_-]{43})/)).1)
    }

    @Test func anInvitedUserSetsAPasswordAndIsDisabledEnabledAndReset() async throws {
        let setup = try await Self.setUp("ws-users")
        try await Self.application(setup).test(.router) { client in
            let admin = try await Web.signIn(client, "team@charter.example")
            let bad = try await Self.post(
                client, admin, "/admin/users", from: "/admin/users",
                [("name", "Ed"), ("email", "ed@sefton.example"), ("role", "employer")])
            #expect(bad.status == .unprocessableContent)
            #expect(Web.text(bad).contains(##"href="#employer""##))
            // The employer is typed, by company number or name: a part of a name that two employers share
            // names neither, and one no employer has is said so; what was typed stays in the field.
            for (typed, sentence) in [
                ("e", "could be Sefton Care CIC, Wirral Ferries Ltd; enter the company number or the whole name"),
                ("Nowhere Ltd", "No employer has the company number or name “Nowhere Ltd”"),
            ] {
                let refused = try await Self.post(
                    client, admin, "/admin/users", from: "/admin/users",
                    [("name", "Ed"), ("email", "ed@sefton.example"), ("role", "employer"), ("employer", typed)])
                #expect(refused.status == .unprocessableContent)
                #expect(Web.text(refused).contains(sentence), "\(Web.text(refused))")
                #expect(Web.text(refused).contains(#"name="employer" spellcheck="false" value="\#(typed)""#))
            }
            #expect(try await Self.count(setup.pool, "SELECT count(*) FROM outbox_messages") == 0)
            let invited = try await Self.post(
                client, admin, "/admin/users", from: "/admin/users",
                [
                    ("name", "Ed Employer"), ("email", "ed@sefton.example"), ("role", "employer"),
                    ("employer", "sefton care cic"),
                ])
            #expect(try await Self.follow(client, admin, invited).contains("The user was invited"))
            let token = try await Self.link(in: setup.pool, to: "ed@sefton.example")
            // The outbox shows the invitation's headers but never the link, on its page or as .eml.
            let invitation = try await setup.pool.withConnection {
                try await $0.query("SELECT id FROM outbox_messages WHERE kind = 'invitation'")[0].decode(
                    Int64.self, column: "id")
            }
            try await client.execute(uri: "/admin/outbox/\(invitation)", method: .get, headers: [.cookie: admin]) {
                #expect($0.status == .ok)
                let html = Web.text($0)
                #expect(html.contains("ed@sefton.example"))
                #expect(html.contains("only its recipient may read"))
                #expect(!html.contains(String(token.prefix(12))))
                #expect(!html.contains("/eml\""))
            }
            try await client.execute(uri: "/admin/outbox/\(invitation)/eml", method: .get, headers: [.cookie: admin]) {
                #expect($0.status == .forbidden)
                #expect(!Web.text($0).contains(String(token.prefix(12))))
            }

            let form = try await Web.signInForm(client, uri: "/set-password?token=\(token)")
            let mismatch = try await client.execute(
                uri: "/set-password", method: .post, headers: Web.formHeaders(form.cookie),
                body: Web.encoded([
                    ("csrf_token", form.token), ("token", token), ("password", "a long enough passphrase"),
                    ("confirm_password", "something else entirely"),
                ]))
            #expect(mismatch.status == .unprocessableContent)
            #expect(Web.text(mismatch).contains(##"href="#confirm_password""##))
            let set = try await client.execute(
                uri: "/set-password", method: .post, headers: Web.formHeaders(form.cookie),
                body: Web.encoded([
                    ("csrf_token", form.token), ("token", token), ("password", Web.password),
                    ("confirm_password", Web.password),
                ]))
            #expect(set.status == .seeOther)
            let ed = try await Web.signIn(client, "ed@sefton.example")
            try await client.execute(uri: "/set-password?token=\(token)", method: .get) {
                #expect($0.status == .notFound)
            }

            let user = try #require(try await setup.base.users.list().first { $0.email == "ed@sefton.example" })
            let disabled = try await Self.post(
                client, admin, "/admin/users/\(user.id)/disable", from: "/admin/users", [])
            #expect(try await Self.follow(client, admin, disabled).contains("signed out everywhere"))
            try await client.execute(uri: "/employers/\(setup.base.covered)", method: .get, headers: [.cookie: ed]) {
                #expect($0.status != .ok)
            }
            let enabled = try await Self.post(client, admin, "/admin/users/\(user.id)/enable", from: "/admin/users", [])
            #expect(try await Self.follow(client, admin, enabled).contains("can sign in again"))
            let reset = try await Self.post(client, admin, "/admin/users/\(user.id)/reset", from: "/admin/users", [])
            #expect(try await Self.follow(client, admin, reset).contains("new password was emailed"))
            #expect(try await Self.link(in: setup.pool, to: "ed@sefton.example") != token)
        }
        await setup.pool.close()
    }

    @Test func aTokenIsShownOnceAndRevokedAfterAConfirmation() async throws {
        let setup = try await Self.setUp("ws-tokens")
        try await Self.application(setup).test(.router) { client in
            let admin = try await Web.signIn(client, "team@charter.example")
            let created = try await Self.post(
                client, admin, "/admin/tokens", from: "/admin/tokens",
                [("label", "Sefton payroll"), ("role", "employer"), ("employer", "Sefton Care")])
            #expect(created.status == .ok)
            let html = Web.text(created)
            let text = String(try #require(html.firstMatch(of: /<pre id="new-token">([^<]+)<\/pre>/)).1)
            try await client.execute(uri: "/admin/tokens", method: .get, headers: [.cookie: admin]) { response in
                let list = Web.text(response)
                #expect(!list.contains(text))
                #expect(list.contains("Sefton payroll"))
                #expect(list.contains("Sefton Care CIC"), "the token is bound to the employer its name began")
            }
            let token = try #require(try await TokenStore(pool: setup.pool).list().first)
            #expect(try await TokenStore(pool: setup.pool).authenticate(text) != nil)
            let wrongBinding = try await Self.post(
                client, admin, "/admin/tokens", from: "/admin/tokens", [("role", "rep")])
            #expect(wrongBinding.status == .unprocessableContent)
            #expect(Web.text(wrongBinding).contains(##"href="#rep""##))
            let ask = try await Self.post(client, admin, "/admin/tokens/\(token.id)/revoke", from: "/admin/tokens", [])
            #expect(ask.status == .ok)
            #expect(Web.text(ask).contains("Revoke token \(token.prefix)?"))
            #expect(try await TokenStore(pool: setup.pool).authenticate(text) != nil)
            let revoked = try await Self.post(
                client, admin, "/admin/tokens/\(token.id)/revoke", from: "/admin/tokens", [("confirm", "yes")])
            #expect(try await Self.follow(client, admin, revoked).contains("The token was revoked"))
            #expect(try await TokenStore(pool: setup.pool).authenticate(text) == nil)
            let noCSRF = try await Self.post(
                client, admin, "/admin/tokens", from: "/admin/tokens", [("role", "viewer")], csrf: false)
            #expect(noCSRF.status == .forbidden)
        }
        await setup.pool.close()
    }
}

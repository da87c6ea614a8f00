import CharterAccess
import CharterApp
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PGClient
import Scheduling
import Testing

/// The operations side of the charter team's workspace (issue 20): exemptions, the charter, runs, the
/// outbox and the audit log, as the charter team, a viewer, an employer and a rep meet them.
@Suite("The workspace's operations pages", .timeLimit(.minutes(10)))
struct WorkspaceOperationsTests {
    static let admin = "team@charter.example"
    static let viewer = "look@charter.example"

    static func setUp(_ name: String) async throws -> WebPagesTests.Setup {
        let setup = try await WebPagesTests.setUp(name)
        _ = try await setup.users.create(
            email: viewer, displayName: "Vi Viewer", role: .viewer, employerID: nil, repID: nil,
            password: WebPagesTests.password, by: "test")
        return setup
    }

    static func get(_ client: some TestClientProtocol, _ uri: String, _ cookie: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: [.cookie: cookie])
    }

    static func post(
        _ client: some TestClientProtocol, _ uri: String, _ cookie: String, _ fields: [(String, String)]
    ) async throws -> TestResponse {
        try await client.execute(
            uri: uri, method: .post, headers: WebPagesTests.formHeaders(cookie), body: WebPagesTests.encoded(fields))
    }

    /// The forms on a page that post, other than signing out.
    static func postForms(_ html: String) -> [String] {
        html.matches(of: /<form method="post" action="([^"]+)"/).map { String($0.1) }.filter { $0 != "/sign-out" }
    }

    /// The page the notice of `response` is shown on, as the browser gets it after the redirect.
    static func afterRedirect(
        _ client: some TestClientProtocol, _ response: TestResponse, _ cookie: String
    ) async throws -> String {
        #expect(response.status == .seeOther)
        // A browser never sends the fragment; the test client would.
        let location = String(try #require(response.headers[.location]).prefix { $0 != "#" })
        let notice = try #require(WebSignInTests.noticeCookie(response))
        let page = try await client.execute(uri: location, method: .get, headers: [.cookie: "\(cookie); \(notice)"])
        #expect(page.status == .ok)
        let html = WebPagesTests.text(page)
        #expect(html.contains(#"<div class="banner" role="status""#))
        return html
    }

    static let pages = [
        "/admin/exemptions", "/admin/charter", "/admin/runs", "/admin/outbox", "/admin/audit", "/admin/runs.csv",
        "/admin/outbox.csv", "/admin/audit.csv",
    ]

    @Test func employersAndRepsAreRefusedAndAViewerSeesNoFormThatChanges() async throws {
        let setup = try await Self.setUp("ops-who")
        let version = try #require(try await CharterVersionStore(pool: setup.pool).summaries().first?.id)
        try await WebPagesTests.application(setup).test(.router) { client in
            let viewer = try await WebPagesTests.signIn(client, Self.viewer)
            for email in ["hr@sefton.example", "jo@union.example"] {
                let cookie = try await WebPagesTests.signIn(client, email)
                for page in Self.pages + ["/admin/charter/\(version)"] {
                    let response = try await Self.get(client, page, cookie)
                    #expect(
                        response.status == .forbidden,
                        "\(email) \(page) \(response.headers) \(WebPagesTests.text(response).suffix(400))")
                }
            }
            for page in Self.pages where !page.hasSuffix(".csv") {
                let response = try await Self.get(client, page, viewer)
                #expect(response.status == .ok, "\(page)")
                // The viewer may verify the audit chain (a read, per the policy); nothing else posts.
                let forms = Self.postForms(WebPagesTests.text(response))
                #expect(forms == (page == "/admin/audit" ? ["/admin/audit/verify"] : []), "\(page)")
            }
            #expect(
                Self.postForms(WebPagesTests.text(try await Self.get(client, "/admin/charter/\(version)", viewer)))
                    .isEmpty)
            // Posting anyway is refused by the policy, after the CSRF check.
            let token = try await WebPagesTests.csrf(client, viewer, "/admin/audit")
            let refused = try await Self.post(
                client, "/admin/charter/bank-holidays", viewer,
                [("csrf_token", token), ("holiday_date", "2028-01-03"), ("holiday_name", "Extra")])
            #expect(refused.status == .forbidden)
            #expect(try await BankHolidayStore(pool: setup.pool).list().allSatisfy { $0.name != "Extra" })
            let verified = try await Self.post(client, "/admin/audit/verify", viewer, [("csrf_token", token)])
            #expect(verified.status == .ok)
            #expect(WebPagesTests.text(verified).contains("The chain is intact"))
        }
        await setup.pool.close()
    }

    @Test func anExemptionIsGrantedShownWithTheFlagsItWaivesAndRevokedAfterConfirming() async throws {
        let setup = try await Self.setUp("ops-exemptions")
        let asOf = CalendarDate(year: 2026, month: 11, day: 27)!
        _ = try await NightlyCompliance(pool: setup.pool).run(asOf: asOf)
        let flag = try await WebFlagFormsTests.firstOpenFlag(setup)
        let store = ExemptionStore(pool: setup.pool)
        try await WebPagesTests.application(setup).test(.router) { client in
            let admin = try await WebPagesTests.signIn(client, Self.admin)
            let token = try await WebPagesTests.csrf(client, admin, "/admin/exemptions")
            // The employer is typed by name (or company number), as the charter team knows it.
            let name = try #require(try await EmployerStore(pool: setup.pool).find(id: flag.employerID)?.name)
            let form: [(String, String)] = [
                ("employer", name), ("standard_id", flag.standardID),
                ("period_from", flag.period.description), ("period_to", ""), ("reason", "Agreed at the panel"),
                ("expires_on", "2099-01-01"),
            ]
            // No CSRF token: refused, nothing stored.
            #expect(try await Self.post(client, "/admin/exemptions", admin, form).status == .forbidden)
            // Bad input: the error summary names each field, the typed values stay, nothing is stored.
            let bad = try await Self.post(
                client, "/admin/exemptions", admin,
                [
                    ("csrf_token", token), ("employer", "Nowhere Ltd"), ("standard_id", "pay.invented"),
                    ("period_from", "2026-Q9"), ("reason", "Typed reason"), ("expires_on", "next year"),
                ])
            #expect(bad.status == .unprocessableContent)
            let badHTML = WebPagesTests.text(bad)
            #expect(badHTML.contains("<title>Error: "))
            for field in ["employer", "standard_id", "period_from", "expires_on"] {
                #expect(badHTML.contains(##"<a href="#\##(field)">"##), "\(field)")
            }
            #expect(badHTML.contains("Typed reason</textarea>"))
            #expect(try await store.list().isEmpty)

            let granted = try await Self.post(client, "/admin/exemptions", admin, [("csrf_token", token)] + form)
            let listed = try await Self.afterRedirect(client, granted, admin)
            let exemption = try #require(try await store.list().first)
            #expect(listed.contains("The exemption was granted (exemption #\(exemption.id))."))
            #expect(exemption.reason == "Agreed at the panel")
            #expect(exemption.employerID == flag.employerID, "the employer typed by name is the one exempted")
            #expect(exemption.grantedBy.hasPrefix("user:"))

            // The nightly run waives the flag; the page links it.
            _ = try await NightlyCompliance(pool: setup.pool).run(asOf: asOf)
            let withFlag = WebPagesTests.text(try await Self.get(client, "/admin/exemptions?status=in-force", admin))
            #expect(withFlag.contains(#"<a href="/flags/\#(flag.id)">"#))
            #expect(
                WebPagesTests.text(try await Self.get(client, "/admin/exemptions?status=revoked", admin)).contains(
                    "id=\"exemption-") == false)

            // Revoking asks first, then revokes.
            let asked = try await Self.post(
                client, "/admin/exemptions/\(exemption.id)/revoke", admin, [("csrf_token", token)])
            #expect(asked.status == .ok)
            #expect(WebPagesTests.text(asked).contains(#"name="confirm" value="yes""#))
            #expect(try await store.find(id: exemption.id)?.revokedAt == nil)
            let revoked = try await Self.post(
                client, "/admin/exemptions/\(exemption.id)/revoke", admin, [("csrf_token", token), ("confirm", "yes")])
            #expect(try await Self.afterRedirect(client, revoked, admin).contains("The exemption was revoked."))
            #expect(try await store.find(id: exemption.id)?.revokedAt != nil)
            let again = try await Self.post(
                client, "/admin/exemptions/\(exemption.id)/revoke", admin, [("csrf_token", token), ("confirm", "yes")])
            #expect(again.status == .conflict)
        }
        await setup.pool.close()
    }

    @Test func aDraftIsMadeChangedPreviewedAndPublishedThenStaysAsItIs() async throws {
        let setup = try await Self.setUp("ops-charter")
        _ = try await NightlyCompliance(pool: setup.pool).run(asOf: CalendarDate(year: 2026, month: 11, day: 27)!)
        let versions = CharterVersionStore(pool: setup.pool)
        let seeded = try #require(try await versions.summaries().first?.id)
        try await WebPagesTests.application(setup).test(.router) { client in
            let admin = try await WebPagesTests.signIn(client, Self.admin)
            let token = try await WebPagesTests.csrf(client, admin, "/admin/charter")
            let missing = try await Self.post(
                client, "/admin/charter/drafts", admin, [("csrf_token", token), ("source", String(seeded))])
            #expect(missing.status == .unprocessableContent)
            #expect(WebPagesTests.text(missing).contains(##"<a href="#label">"##))
            #expect(try await versions.summaries().count == 1)

            let made = try await Self.post(
                client, "/admin/charter/drafts", admin,
                [
                    ("csrf_token", token), ("source", String(seeded)), ("label", "Charter 2027"),
                    ("effective_from", "2027-04-01"),
                ])
            let draftPage = try await Self.afterRedirect(client, made, admin)
            let draft = try #require(try await versions.summaries().first { $0.label == "Charter 2027" })
            #expect(draft.isDraft)
            #expect(draftPage.contains("Draft version \(draft.id) was created."))
            #expect(draftPage.contains(#"action="/admin/charter/\#(draft.id)/standards/hours.zero-hours-share""#))

            let field = "hours-zero-hours-share--threshold_percent"
            let standard = "/admin/charter/\(draft.id)/standards/hours.zero-hours-share"
            let wrong = try await Self.post(
                client, standard, admin,
                [
                    ("csrf_token", token), (field, "lots"), ("hours-zero-hours-share--severity_aspiring", "warning"),
                    ("hours-zero-hours-share--severity_accredited", "warning"),
                ])
            #expect(wrong.status == .unprocessableContent)
            #expect(WebPagesTests.text(wrong).contains(##"<a href="#\##(field)">"##))
            #expect(WebPagesTests.text(wrong).contains(#"value="lots""#))

            let saved = try await Self.post(
                client, standard, admin,
                [
                    ("csrf_token", token), (field, "2"), ("hours-zero-hours-share--severity_aspiring", "breach"),
                    ("hours-zero-hours-share--severity_accredited", "breach"),
                ])
            #expect(try await Self.afterRedirect(client, saved, admin).contains("Draft version \(draft.id) was saved."))
            let changed = try #require(try await versions.version(id: draft.id)?.standard("hours.zero-hours-share"))
            #expect(changed.defaults.parameters["threshold_percent"]?.number == 2)
            #expect(changed.severity(for: .aspiring) == .breach)

            let preview = try await Self.get(client, "/admin/charter/\(draft.id)/preview?as_of=2026-11-27", admin)
            #expect(preview.status == .ok)
            #expect(WebPagesTests.text(preview).contains("Nothing was changed."))

            let asked = try await Self.post(
                client, "/admin/charter/\(draft.id)/publish", admin, [("csrf_token", token)])
            #expect(WebPagesTests.text(asked).contains(#"name="confirm" value="yes""#))
            #expect(try await versions.version(id: draft.id)?.isDraft == true)
            let published = try await Self.post(
                client, "/admin/charter/\(draft.id)/publish", admin, [("csrf_token", token), ("confirm", "yes")])
            let after = try await Self.afterRedirect(client, published, admin)
            #expect(after.contains("Version \(draft.id) was published; it can no longer be changed."))
            #expect(Self.postForms(after).isEmpty)
            #expect(try await versions.version(id: draft.id)?.isDraft == false)

            let tooLate = try await Self.post(
                client, standard, admin,
                [
                    ("csrf_token", token), (field, "9"), ("hours-zero-hours-share--severity_aspiring", "breach"),
                    ("hours-zero-hours-share--severity_accredited", "breach"),
                ])
            #expect(tooLate.status == .conflict)
            #expect(WebPagesTests.text(tooLate).contains("is published and can no longer be changed"))
            #expect(
                try await versions.version(id: draft.id)?.standard("hours.zero-hours-share")?.defaults.parameters[
                    "threshold_percent"]?.number == 2)
        }
        await setup.pool.close()
    }

    @Test func ratesAndBankHolidaysAreAddedThroughTheirForms() async throws {
        let setup = try await Self.setUp("ops-rates")
        try await WebPagesTests.application(setup).test(.router) { client in
            let admin = try await WebPagesTests.signIn(client, Self.admin)
            let token = try await WebPagesTests.csrf(client, admin, "/admin/charter")
            let bad = try await Self.post(
                client, "/admin/charter/rates/rlw", admin,
                [
                    ("csrf_token", token), ("rlw_year", "2030"), ("rlw_uk", "-1"), ("rlw_london", "14.20"),
                    ("rlw_announced", "2030-10-20"), ("rlw_deadline", "2030-10-01"),
                ])
            #expect(bad.status == .unprocessableContent)
            for field in ["rlw_year", "rlw_uk", "rlw_deadline"] {
                #expect(WebPagesTests.text(bad).contains(##"<a href="#\##(field)">"##), "\(field)")
            }
            let added = try await Self.post(
                client, "/admin/charter/rates/rlw", admin,
                [
                    ("csrf_token", token), ("rlw_year", "2030-31"), ("rlw_uk", "15.10"), ("rlw_london", "16.40"),
                    ("rlw_announced", "2030-10-20"), ("rlw_deadline", "2031-05-01"),
                ])
            #expect(try await Self.afterRedirect(client, added, admin).contains("The rates for 2030 were saved."))
            #expect(try await RateStore(pool: setup.pool).table().realLivingWage.contains { $0.rateYear == "2030-31" })

            let nmw = try await Self.post(
                client, "/admin/charter/rates/nmw", admin,
                [
                    ("csrf_token", token), ("nmw_from", "2030-04-01"), ("nmw_21_plus", "13.00"), ("nmw_18_20", "11.00"),
                    ("nmw_under_18", "8.00"), ("nmw_apprentice", "8.00"),
                ])
            #expect(try await Self.afterRedirect(client, nmw, admin).contains("The rates for 2030 were saved."))

            let holiday = try await Self.post(
                client, "/admin/charter/bank-holidays", admin,
                [("csrf_token", token), ("holiday_date", "2028-01-03"), ("holiday_name", "New Year's Day")])
            #expect(try await Self.afterRedirect(client, holiday, admin).contains("The bank holiday was added."))
            let twice = try await Self.post(
                client, "/admin/charter/bank-holidays", admin,
                [("csrf_token", token), ("holiday_date", "2028-01-03"), ("holiday_name", "Again")])
            #expect(twice.status == .unprocessableContent)
            #expect(WebPagesTests.text(twice).contains("is already a bank holiday"))
        }
        await setup.pool.close()
    }

    @Test func aDryRunShowsWhatItWouldChangeAndARealRunIsRecorded() async throws {
        let setup = try await Self.setUp("ops-runs")
        let log = JobRunLog(pool: setup.pool)
        try await WebPagesTests.application(setup).test(.router) { client in
            let admin = try await WebPagesTests.signIn(client, Self.admin)
            let token = try await WebPagesTests.csrf(client, admin, "/admin/runs")
            let badDay = try await Self.post(
                client, "/admin/runs/nightly-compliance", admin,
                [("csrf_token", token), ("as_of", "yesterday"), ("dry_run", "yes")])
            #expect(badDay.status == .unprocessableContent)
            #expect(WebPagesTests.text(badDay).contains(##"<a href="#as_of">"##))

            let dry = try await Self.post(
                client, "/admin/runs/nightly-compliance", admin,
                [("csrf_token", token), ("as_of", "2026-11-27"), ("dry_run", "yes")])
            #expect(dry.status == .ok)
            let dryHTML = WebPagesTests.text(dry)
            #expect(dryHTML.contains("Nothing was changed"))
            #expect(dryHTML.contains("Sefton Care CIC"))
            #expect(dryHTML.contains("gov.return-missing"))
            #expect(try await log.count() == 0)
            let flags = try await setup.pool.withConnection {
                try await $0.query("SELECT count(*)::int AS n FROM flags")[0].decode(Int.self, column: "n")
            }
            #expect(flags == 0)

            let real = try await Self.post(
                client, "/admin/runs/nightly-compliance", admin,
                [("csrf_token", token), ("as_of", "2026-11-27"), ("dry_run", "no")])
            let run = try #require(try await log.page(offset: 0, limit: 1).first)
            #expect(real.headers[.location] == "/admin/runs/\(run.id)")
            let runPage = try await Self.afterRedirect(client, real, admin)
            #expect(runPage.contains("The nightly compliance run finished (run #\(run.id))."))
            #expect(runPage.contains("missing returns"))
            #expect(run.triggeredBy?.hasPrefix("user:") == true)

            let list = WebPagesTests.text(try await Self.get(client, "/admin/runs?job=nightly-compliance", admin))
            #expect(list.contains(#"<a href="/admin/runs/\#(run.id)">"#))
            let csv = try await Self.get(client, "/admin/runs.csv", admin)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(WebPagesTests.text(csv).contains("nightly-compliance"))
        }
        await setup.pool.close()
    }

    @Test func aDeadMessageIsShownAsSentDownloadedAndRequeued() async throws {
        let setup = try await Self.setUp("ops-outbox")
        let outbox = OutboxStore(pool: setup.pool)
        let boundary = "b0undary"
        let source = [
            "From: CharterWatch <cw@example.org>", "To: hr@sefton.example", "Subject: =cmd|' /C calc'!A0",
            "MIME-Version: 1.0", "Content-Type: multipart/alternative; boundary=\"\(boundary)\"", "",
            "--\(boundary)", "Content-Type: text/plain; charset=utf-8", "", "Plain words here.",
            "--\(boundary)", "Content-Type: text/html; charset=utf-8", "",
            "<p onclick=\"x()\">Hello <script>alert(1)</script></p>", "--\(boundary)--", "",
        ].joined(separator: "\r\n")
        try await setup.pool.withConnection { connection in
            _ = try await OutboxStore.enqueue(
                OutboxMessage(
                    kind: .reminder, dedupKey: "dead-one", sender: "cw@example.org", recipients: ["hr@sefton.example"],
                    subject: "=cmd|' /C calc'!A0", message: Array(source.utf8),
                    contentDigest: OutboxMessage.digest(of: Array(source.utf8))), on: connection)
        }
        let claimed = try await outbox.claim(limit: 1, worker: "test", lease: 60, now: Date())
        let id = try #require(claimed.first?.id)
        _ = try await outbox.markFailed(
            id: id, worker: "test", transient: false, reply: "550 5.1.1 mailbox unavailable", now: Date())
        #expect(try await outbox.find(id: id)?.state == .dead)
        try await WebPagesTests.application(setup).test(.router) { client in
            let admin = try await WebPagesTests.signIn(client, Self.admin)
            let dead = WebPagesTests.text(try await Self.get(client, "/admin/outbox?state=dead", admin))
            #expect(dead.contains("550 5.1.1 mailbox unavailable"))
            #expect(dead.contains(#"action="/admin/outbox/\#(id)/requeue""#))

            let page = try await Self.get(client, "/admin/outbox/\(id)", admin)
            let html = WebPagesTests.text(page)
            #expect(html.contains("Plain words here."))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!html.contains("<script>"))
            #expect(!html.contains("<p onclick"))
            #expect(html.contains("multipart/alternative"))

            let eml = try await Self.get(client, "/admin/outbox/\(id)/eml", admin)
            #expect(eml.status == .ok)
            #expect(eml.headers[.contentDisposition] == "attachment; filename=\"message-\(id).eml\"")
            #expect(eml.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            #expect(eml.headers[.contentType] == "message/rfc822")
            #expect(Array(eml.body.readableBytesView) == Array(source.utf8))

            let csv = WebPagesTests.text(try await Self.get(client, "/admin/outbox.csv?state=dead", admin))
            #expect(csv.contains("'=cmd"))
            #expect(!csv.contains(",=cmd"))

            let token = try await WebPagesTests.csrf(client, admin, "/admin/outbox")
            #expect(try await Self.post(client, "/admin/outbox/\(id)/requeue", admin, []).status == .forbidden)
            let requeued = try await Self.post(client, "/admin/outbox/\(id)/requeue", admin, [("csrf_token", token)])
            #expect(
                try await Self.afterRedirect(client, requeued, admin).contains(
                    "Message #\(id) was queued to be sent again."))
            #expect(try await outbox.find(id: id)?.state == .queued)
            #expect(
                try await AuditLog(pool: setup.pool).count(.init(entity: "outbox_message", entityID: String(id))) == 1)
            let again = try await Self.post(client, "/admin/outbox/\(id)/requeue", admin, [("csrf_token", token)])
            #expect(again.status == .conflict)
        }
        await setup.pool.close()
    }

    @Test func theAuditLogFiltersDownloadsNeutralisedAndVerifies() async throws {
        let setup = try await Self.setUp("ops-audit")
        try await setup.pool.withConnection { connection in
            try await AuditTrail.append(
                on: connection, actor: "=cmd|' /C calc'!A0", action: "test.formula", entity: "employer",
                entityID: String(setup.other))
        }
        try await WebPagesTests.application(setup).test(.router) { client in
            let admin = try await WebPagesTests.signIn(client, Self.admin)
            let all = WebPagesTests.text(try await Self.get(client, "/admin/audit", admin))
            #expect(all.contains("test.formula"))
            #expect(all.contains("rep.add"))
            let filtered = WebPagesTests.text(
                try await Self.get(client, "/admin/audit?entity=employer&entity_id=\(setup.other)", admin))
            #expect(filtered.contains("test.formula"))
            #expect(!filtered.contains("rep.add"))
            let byActor = WebPagesTests.text(try await Self.get(client, "/admin/audit?actor=nobody", admin))
            #expect(byActor.contains("Nothing to show."))
            let future = WebPagesTests.text(try await Self.get(client, "/admin/audit?from=2099-01-01", admin))
            #expect(future.contains("Nothing to show."))
            let badDate = try await Self.get(client, "/admin/audit?from=someday", admin)
            #expect(badDate.status == .unprocessableContent)
            #expect(WebPagesTests.text(badDate).contains(##"<a href="#from">"##))

            let csv = try await Self.get(client, "/admin/audit.csv?action=x&entity=employer", admin)
            #expect(csv.headers[.contentDisposition] == "attachment; filename=\"audit.csv\"")
            let text = WebPagesTests.text(csv)
            #expect(text.contains("'=cmd"))
            #expect(!text.contains(",=cmd"))

            let token = try await WebPagesTests.csrf(client, admin, "/admin/audit")
            #expect(try await Self.post(client, "/admin/audit/verify", admin, []).status == .forbidden)
            let verified = try await Self.post(client, "/admin/audit/verify", admin, [("csrf_token", token)])
            let html = WebPagesTests.text(verified)
            #expect(html.contains("The chain is intact"))
            let head = try await setup.pool.withConnection { connection in
                try await AuditTrail.verify(on: connection).headHash
            }
            #expect(html.contains(try #require(head)))
        }
        await setup.pool.close()
    }
}

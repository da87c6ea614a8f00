import CharterAccess
import CharterApp
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PGClient
import TestSupport
import Testing

/// A flag page's forms as people meet them: only the actions the flag's state allows them, a message
/// after each one, the typed note given back with the reason when an action is refused anyway, and the
/// history naming people by name with times in UK time.
@Suite("The flag page's forms", .timeLimit(.minutes(10)))
struct WebFlagFormsTests {
    /// The flag actions whose forms a page offers.
    static func offered(_ html: String, _ flag: Int64) -> Set<String> {
        Set(
            html.matches(of: /<form method="post" action="\/flags\/(\d+)\/([a-z]+)">/).compactMap {
                Int64($0.1) == flag ? String($0.2) : nil
            })
    }

    static func firstOpenFlag(_ setup: WebPagesTests.Setup, skipping: Set<Int64> = []) async throws -> Flag {
        let page = try await FlagStore(pool: setup.pool).list(
            FlagStore.Filter(employerID: setup.covered, state: .open), visible: .all, cursor: nil, limit: 50)
        return try #require(page.flags.first { !skipping.contains($0.id) })
    }

    @Test func onlyTheActionsTheStateAllowsAreOfferedAndEachSaysWhatItDid() async throws {
        let setup = try await WebPagesTests.setUp("web-flag-forms")
        _ = try await NightlyCompliance(pool: setup.pool).run(asOf: CalendarDate(year: 2026, month: 11, day: 27)!)
        let flag = try await Self.firstOpenFlag(setup).id
        try await WebPagesTests.application(setup).test(.router) { client in
            let rep = try await WebPagesTests.signIn(client, "jo@union.example")
            let employer = try await WebPagesTests.signIn(client, "hr@sefton.example")
            let page = "/flags/\(flag)"
            func forms(_ cookie: String) async throws -> Set<String> {
                Self.offered(
                    WebPagesTests.text(try await client.execute(uri: page, method: .get, headers: [.cookie: cookie])),
                    flag)
            }
            #expect(try await forms(rep) == ["acknowledge", "resolve", "comment"])
            #expect(try await forms(employer) == ["dispute", "comment", "respond"])

            let token = try await WebPagesTests.csrf(client, rep, page)
            let acknowledged = try await client.execute(
                uri: "\(page)/acknowledge", method: .post, headers: WebPagesTests.formHeaders(rep),
                body: WebPagesTests.encoded([("csrf_token", token), ("note", "")]))
            #expect(acknowledged.status == .seeOther)
            #expect(acknowledged.headers[.location] == page)
            let notice = try #require(WebSignInTests.noticeCookie(acknowledged))
            let after = try await client.execute(uri: page, method: .get, headers: [.cookie: "\(rep); \(notice)"])
            let html = WebPagesTests.text(after)
            #expect(html.contains(#"<div class="banner" role="status""#))
            #expect(html.contains("You acknowledged flag #\(flag)."))
            #expect(Self.offered(html, flag) == ["resolve", "comment"])
            // The history names people, never `user:N`, at UK times.
            #expect(html.contains("<td>Jo Rep</td><td>transition</td><td>open → acknowledged</td>"))
            #expect(html.contains("<td>the nightly compliance check</td><td>opened</td>"))
            #expect(!html.contains("user:"))
            #expect(
                html.firstMatch(of: /<td>\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} (GMT|BST)<\/td><td>Jo Rep<\/td>/)
                    != nil)
            #expect(!html.contains("UTC"))

            let resolved = try await client.execute(
                uri: "\(page)/resolve", method: .post, headers: WebPagesTests.formHeaders(rep),
                body: WebPagesTests.encoded([("csrf_token", token), ("note", "Paid the uplift in November")]))
            #expect(WebSignInTests.noticeCookie(resolved)?.hasSuffix("flag.resolve.\(flag)") == true)
            #expect(try await forms(rep) == ["reopen", "comment"])
            #expect(try await forms(employer) == ["comment"])
        }
        await setup.pool.close()
    }

    @Test func aRefusedActionGivesBackWhatWasTypedWithTheReason() async throws {
        let setup = try await WebPagesTests.setUp("web-flag-refused")
        _ = try await NightlyCompliance(pool: setup.pool).run(asOf: CalendarDate(year: 2026, month: 11, day: 27)!)
        let flags = FlagStore(pool: setup.pool)
        let raced = try await Self.firstOpenFlag(setup).id
        let other = try await Self.firstOpenFlag(setup, skipping: [raced]).id
        try await WebPagesTests.application(setup).test(.router) { client in
            let rep = try await WebPagesTests.signIn(client, "jo@union.example")
            let token = try await WebPagesTests.csrf(client, rep, "/flags/\(raced)")
            // The rep's page offered "acknowledge"; meanwhile the charter team resolved the flag.
            _ = try await flags.act(
                .resolve, on: raced, role: .admin, actor: "charterctl:team", note: "Duplicate of another flag")
            let refused = try await client.execute(
                uri: "/flags/\(raced)/acknowledge", method: .post, headers: WebPagesTests.formHeaders(rep),
                body: WebPagesTests.encoded([("csrf_token", token), ("note", "Seen at the site visit <Tuesday>")]))
            #expect(refused.status == .conflict)
            var html = WebPagesTests.text(refused)
            #expect(html.contains(#"<div class="error-summary" role="alert""#))
            #expect(html.contains(##"<a href="#note-comment">cannot acknowledge a flag that is resolved"##))
            // The note is kept, in the form still offered, and the page shows the flag as it is now.
            #expect(
                html.contains(
                    #"aria-describedby="note-comment-error">Seen at the site visit &lt;Tuesday&gt;</textarea>"#))
            #expect(Self.offered(html, raced) == ["reopen", "comment"])
            #expect(html.contains("<td>team using charterctl</td>"))
            #expect(try await flags.flag(id: raced)?.summary.state == .resolved)

            // A note the action needs but that was left blank: the summary links to that form's note.
            let blank = try await client.execute(
                uri: "/flags/\(other)/resolve", method: .post, headers: WebPagesTests.formHeaders(rep),
                body: WebPagesTests.encoded([("csrf_token", token), ("note", "   ")]))
            #expect([.conflict, .unprocessableContent].contains(blank.status))
            html = WebPagesTests.text(blank)
            #expect(html.contains(##"<a href="#note-resolve">"##))
            #expect(html.contains(#"<p id="note-resolve-error" class="error-message">"#))

            // The employer's response with a date that is not one keeps all three fields.
            let employer = try await WebPagesTests.signIn(client, "hr@sefton.example")
            let employerToken = try await WebPagesTests.csrf(client, employer, "/flags/\(other)")
            let badDate = try await client.execute(
                uri: "/flags/\(other)/respond", method: .post, headers: WebPagesTests.formHeaders(employer),
                body: WebPagesTests.encoded([
                    ("csrf_token", employerToken), ("explanation", "Payroll ran late"), ("action_plan", "Back-pay"),
                    ("target_date", "31/03/2027"),
                ]))
            #expect(badDate.status == .unprocessableContent)
            html = WebPagesTests.text(badDate)
            #expect(html.contains(##"<a href="#target_date">The target date 31/03/2027 is not a date"##))
            #expect(html.contains(">Payroll ran late</textarea>"))
            #expect(html.contains(">Back-pay</textarea>"))
            #expect(html.contains(#"value="31/03/2027""#))
            #expect(try await flags.flag(id: other)?.response == nil)
        }
        await setup.pool.close()
    }
}

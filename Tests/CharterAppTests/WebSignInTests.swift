import CharterAccess
import CharterApp
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PGClient
import TestSupport
import Testing

/// Signing in and out as a browser does: a link from an email survives the sign-in (and cannot be
/// turned into a redirect to another site), another site cannot sign anyone in (login CSRF), each step
/// says what happened on the next page, and an unknown address is a page for a person but a problem
/// document for an API client.
@Suite("Signing in through the web pages", .timeLimit(.minutes(10)))
struct WebSignInTests {
    /// The `Cookie` value of the notice a response sets, if it sets one.
    static func noticeCookie(_ response: TestResponse) -> String? {
        response.headers[values: .setCookie].first { $0.hasPrefix("__Host-charterwatch_notice=") }
            .flatMap { $0.split(separator: ";").first.map(String.init) }
    }

    /// The sign-in attempts and sessions the database holds.
    static func counts(_ pool: PGPool) async throws -> (attempts: Int, sessions: Int) {
        try await pool.withConnection { connection in
            let row = try await connection.query(
                """
                SELECT (SELECT count(*) FROM sign_in_attempts)::int AS attempts,
                       (SELECT count(*) FROM sessions)::int AS sessions
                """)[0]
            return (try row.decode(Int.self, column: "attempts"), try row.decode(Int.self, column: "sessions"))
        }
    }

    @Test func aLinkFromAnEmailSurvivesSigningInButNeverLeadsOffTheSite() async throws {
        let setup = try await WebPagesTests.setUp("web-sign-in-next")
        try await WebPagesTests.application(setup).test(.router) { client in
            // Nobody signed in: the page asked for is carried to the sign-in form.
            let asked = "/flags?state=open&employer=\(setup.covered)"
            let toSignIn = try await client.execute(uri: asked, method: .get)
            #expect(toSignIn.status == .seeOther)
            let location = try #require(toSignIn.headers[.location])
            #expect(location.hasPrefix("/sign-in?next="))
            let form = try await WebPagesTests.signInForm(client, uri: location)
            let page = try await client.execute(uri: location, method: .get)
            #expect(
                WebPagesTests.text(page).contains(
                    #"<input type="hidden" name="next" value="/flags?state=open&amp;employer=\#(setup.covered)">"#))
            var headers = WebPagesTests.formHeaders(form.cookie)
            let signedIn = try await client.execute(
                uri: "/sign-in", method: .post, headers: headers,
                body: WebPagesTests.encoded([
                    ("csrf_token", form.token), ("email", "jo@union.example"), ("password", WebPagesTests.password),
                    ("next", asked),
                ]))
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.headers[.location] == asked)

            // The next page says what happened, once: the notice is forgotten as soon as it is shown.
            let session = try WebPagesTests.sessionCookie(signedIn)
            let notice = try #require(Self.noticeCookie(signedIn))
            let landed = try await client.execute(uri: asked, method: .get, headers: [.cookie: "\(session); \(notice)"])
            #expect(landed.status == .ok)
            let html = WebPagesTests.text(landed)
            #expect(html.contains(#"role="status""#))
            #expect(html.contains("You are signed in as Jo Rep."))
            #expect(landed.headers[values: .setCookie].contains { $0.hasPrefix("__Host-charterwatch_notice=;") })
            let reloaded = try await client.execute(uri: asked, method: .get, headers: [.cookie: session])
            #expect(!WebPagesTests.text(reloaded).contains("You are signed in as"))
            // A notice cookie that this site did not write says nothing, and nothing it holds reaches the page.
            let forged = try await client.execute(
                uri: asked, method: .get,
                headers: [.cookie: "\(session); __Host-charterwatch_notice=flag.resolve.<b>7</b>"])
            #expect(!WebPagesTests.text(forged).contains(#"role="status""#))
            #expect(!WebPagesTests.text(forged).contains("<b>7"))

            // Somewhere else than a path on this site is never where sign-in leads.
            for elsewhere in [
                "//evil.example/flags", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
                "evil.example", "/\u{0009}/evil.example",
            ] {
                let form = try await WebPagesTests.signInForm(
                    client,
                    uri: "/sign-in?next="
                        + (elsewhere.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
                headers = WebPagesTests.formHeaders(form.cookie)
                let response = try await client.execute(
                    uri: "/sign-in", method: .post, headers: headers,
                    body: WebPagesTests.encoded([
                        ("csrf_token", form.token), ("email", "jo@union.example"),
                        ("password", WebPagesTests.password), ("next", elsewhere),
                    ]))
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/", "next=\(elsewhere) was followed")
            }
            // Already signed in, the sign-in page sends on to the page asked for, and only on this site.
            let again = try await client.execute(
                uri: "/sign-in?next=%2Fadmin", method: .get, headers: [.cookie: session])
            #expect(again.headers[.location] == "/admin")
            let offSite = try await client.execute(
                uri: "/sign-in?next=%2F%2Fevil.example", method: .get, headers: [.cookie: session])
            #expect(offSite.headers[.location] == "/")

            // Signing out says so on the sign-in page.
            let token = try await WebPagesTests.csrf(client, session, "/flags")
            let signedOut = try await client.execute(
                uri: "/sign-out", method: .post, headers: WebPagesTests.formHeaders(session),
                body: WebPagesTests.encoded([("csrf_token", token)]))
            #expect(signedOut.headers[.location] == "/sign-in")
            let goodbye = try await client.execute(
                uri: "/sign-in", method: .get, headers: [.cookie: try #require(Self.noticeCookie(signedOut))])
            #expect(WebPagesTests.text(goodbye).contains("You have signed out."))
        }
        await setup.pool.close()
    }

    @Test func anotherSiteCannotSignAnyoneIn() async throws {
        let setup = try await WebPagesTests.setUp("web-sign-in-csrf")
        try await WebPagesTests.application(setup).test(.router) { client in
            let form = try await WebPagesTests.signInForm(client)
            let credentials = [("email", "jo@union.example"), ("password", WebPagesTests.password)]
            // A form on another site has neither the cookie nor the token; a page that fetched its own
            // token still cannot give the victim's browser the cookie; a wrong token is refused too; and a
            // browser that says the form came from another site is refused whatever it carries.
            let attempts: [(HTTPFields, [(String, String)])] = [
                (WebPagesTests.formHeaders(), credentials),
                (WebPagesTests.formHeaders(), [("csrf_token", form.token)] + credentials),
                (WebPagesTests.formHeaders(form.cookie), credentials),
                (WebPagesTests.formHeaders(form.cookie), [("csrf_token", String(form.token.reversed()))] + credentials),
                (
                    WebPagesTests.formHeaders(form.cookie) + [
                        HTTPField(name: .init("Sec-Fetch-Site")!, value: "cross-site")
                    ],
                    [("csrf_token", form.token)] + credentials
                ),
            ]
            for (headers, fields) in attempts {
                let response = try await client.execute(
                    uri: "/sign-in", method: .post, headers: headers, body: WebPagesTests.encoded(fields))
                #expect(response.status == .forbidden)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(WebPagesTests.text(response).contains("nobody was signed in"))
                #expect(!response.headers[values: .setCookie].contains { $0.hasPrefix(SessionCookie.defaultName) })
            }
            // Refused before the password was looked at: no session, and not even an attempt counted.
            let counts = try await Self.counts(setup.pool)
            #expect(counts.attempts == 0)
            #expect(counts.sessions == 0)
            // The cookie is the site's own: host-only, secure, never sent by another site's form.
            let page = try await client.execute(uri: "/sign-in", method: .get)
            let cookie = try #require(
                page.headers[values: .setCookie].first { $0.hasPrefix("__Host-charterwatch_sign_in=") })
            for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
                #expect(cookie.split(separator: "; ").contains(Substring(attribute)))
            }
            #expect(!cookie.contains("Domain"))
            // The same browser, with the page's cookie and token, signs in; the token is then forgotten.
            let signedIn = try await client.execute(
                uri: "/sign-in", method: .post,
                headers: WebPagesTests.formHeaders(form.cookie)
                    + [HTTPField(name: .init("Sec-Fetch-Site")!, value: "same-origin")],
                body: WebPagesTests.encoded([("csrf_token", form.token)] + credentials))
            #expect(signedIn.status == .seeOther)
            #expect(
                signedIn.headers[values: .setCookie].contains {
                    $0.hasPrefix("__Host-charterwatch_sign_in=;") && $0.contains("Max-Age=0")
                })
            #expect(try await Self.counts(setup.pool).sessions == 1)
        }
        await setup.pool.close()
    }

    @Test func anUnknownAddressIsAPageForABrowserAndAProblemForAnAPIClient() async throws {
        let setup = try await WebPagesTests.setUp("web-not-found")
        try await WebPagesTests.application(setup).test(.router) { client in
            let session = try await WebPagesTests.signIn(client, "jo@union.example")
            for (uri, headers) in [
                ("/no-such-page", [:] as HTTPFields), ("/flags/12/nothing-here", [.cookie: session]),
                ("/v1/no-such-thing", [.accept: "text/html,application/xhtml+xml,*/*;q=0.8"]),
            ] {
                let response = try await client.execute(uri: uri, method: .get, headers: headers)
                #expect(response.status == .notFound, "\(uri)")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8", "\(uri)")
                let html = WebPagesTests.text(response)
                #expect(html.contains("<h1>Page not found</h1>"))
                #expect(html.contains(#"<main id="main""#))
                #expect(html.contains("Signed in as Jo Rep") == (headers[.cookie] != nil))
            }
            for (uri, accept) in [("/v1/no-such-thing", "application/json"), ("/no-such-page", "application/json")] {
                let response = try await client.execute(uri: uri, method: .get, headers: [.accept: accept])
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json", "\(uri)")
            }
            let api = try await client.execute(uri: "/v1/no-such-thing", method: .get)
            #expect(api.headers[.contentType] == "application/problem+json")
        }
        await setup.pool.close()
    }
}

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

/// The web pages as people meet them in a browser: sign-in and its cookie, CSRF on every form, what a
/// rep may see, an employer's upload with its errors, and a flag reviewed through the forms.
@Suite("The web pages", .timeLimit(.minutes(10)))
struct WebPagesTests {
    static let password = "correct horse battery staple"

    struct Setup {
        var pool: PGPool
        var users: UserStore
        /// Covered by the rep; the employer user belongs to it.
        var covered: Int64
        /// Not covered by the rep.
        var other: Int64
    }

    static func setUp(_ name: String, throttle: SignInThrottle = SignInThrottle()) async throws -> Setup {
        let pool = try await MigratedDatabase(name).pool
        let employers = EmployerStore(pool: pool)
        let covered = try #require(try await employers.add(Employer(name: "Sefton Care CIC"), actor: "test").id)
        let other = try #require(try await employers.add(Employer(name: "Wirral Ferries Ltd"), actor: "test").id)
        for employer in [covered, other] {
            _ = try await PledgeStore(pool: pool).add(
                employerID: employer, tier: .aspiring, livingHours: false, overrides: PledgeOverrides(),
                validFrom: CalendarDate(year: 2026, month: 1, day: 1)!, validTo: nil, actor: "test")
        }
        let rep = try await RepStore(pool: pool).add(
            name: "Jo Rep", email: "jo@union.example", unionName: nil, covers: [covered], actor: "test")
        let users = UserStore(pool: pool, hasher: PasswordHasher(iterations: 1_000), throttle: throttle)
        _ = try await users.create(
            email: "jo@union.example", displayName: "Jo Rep", role: .rep, employerID: nil, repID: rep.id,
            password: password, by: "test")
        _ = try await users.create(
            email: "hr@sefton.example", displayName: "Sam HR", role: .employer, employerID: covered, repID: nil,
            password: password, by: "test")
        _ = try await users.create(
            email: "team@charter.example", displayName: "Charter Team", role: .admin, employerID: nil, repID: nil,
            password: password, by: "test")
        return Setup(pool: pool, users: users, covered: covered, other: other)
    }

    /// The flag queue's employer filter: the charter team, who see every employer, type one (company number or
    /// name), however many the charter has — no list of thousands to scroll; what names none says so and shows
    /// no flags. A rep picks from the employers they cover, and only those.
    @Test func theFlagQueuesEmployerFilterIsTypedByTheTeamAndPickedByARep() async throws {
        let setup = try await Self.setUp("web-flag-employers")
        _ = try await NightlyCompliance(pool: setup.pool).run(asOf: CalendarDate(year: 2026, month: 11, day: 27)!)
        // 1,001 employers named before both, none with flags (test data, so loaded in SQL).
        try await setup.pool.withConnection {
            try await $0.execute(
                "INSERT INTO employers (name, sector) SELECT 'Aintree Works ' || g, 'private' FROM generate_series(1, 1001) g"
            )
        }
        @Sendable func rows(_ page: String) -> [String] {
            page.matches(of: /<tr><td><a href="\/flags\/\d+">#\d+<\/a><\/td><td>([^<]+)<\/td>/).map { String($0.1) }
        }
        try await Self.application(setup).test(.router) { client in
            let admin = try await Self.signIn(client, "team@charter.example")
            try await client.execute(uri: "/flags", method: .get, headers: [.cookie: admin]) { response in
                let page = Self.text(response)
                #expect(page.contains(#"name="employer_named""#))
                #expect(!page.contains("<option value=\"\(setup.covered)\"") && !page.contains("Aintree Works"))
                #expect(Set(rows(page)) == ["Sefton Care CIC", "Wirral Ferries Ltd"])
            }
            // More than a page of Sefton's flags (test data, in SQL): the next page keeps the typed employer.
            try await setup.pool.withConnection {
                try await $0.execute(
                    """
                    INSERT INTO flags (employer_id, standard_id, period, subject, state, severity)
                    SELECT \(setup.covered), 'hours.shift-notice', '2025-Q1', 'S' || g, 'open', 'warning'
                    FROM generate_series(1, 60) g
                    """)
            }
            let next = try await client.execute(
                uri: "/flags?employer_named=sefton+care+cic", method: .get, headers: [.cookie: admin]
            ) { response in
                #expect(response.status == .ok)
                let page = Self.text(response)
                #expect(rows(page).count == 50 && Set(rows(page)) == ["Sefton Care CIC"])
                #expect(page.contains(#"value="sefton care cic""#), "what was typed stays in the field")
                return try #require(page.firstMatch(of: /href="(\/flags\?[^"]+)" rel="next"/)).1
            }
            try await client.execute(
                uri: String(next).replacingOccurrences(of: "&amp;", with: "&"), method: .get, headers: [.cookie: admin]
            ) { response in
                #expect(response.status == .ok)
                let page = Self.text(response)
                #expect(!rows(page).isEmpty && Set(rows(page)) == ["Sefton Care CIC"], "\(next)")
            }
            try await client.execute(
                uri: "/flags?employer_named=Aintree+Works&state=open", method: .get, headers: [.cookie: admin]
            ) { response in
                #expect(response.status == .unprocessableContent)
                let page = Self.text(response)
                #expect(page.contains("<title>Error: Flags"))
                #expect(page.contains(##"<a href="#f-employer">"##), "the summary links to the field")
                #expect(page.contains("“Aintree Works” could be any of"), "\(page)")
                #expect(page.contains("No flags match.") && rows(page).isEmpty)
            }
            try await client.execute(
                uri: "/flags?employer_named=Nobody+Ltd", method: .get, headers: [.cookie: admin]
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(Self.text(response).contains("No employer has the company number or name “Nobody Ltd”"))
            }
            // From a link (an employer's page): filtered, and the name shown as if typed.
            try await client.execute(
                uri: "/flags?employer=\(setup.other)", method: .get, headers: [.cookie: admin]
            ) { response in
                let page = Self.text(response)
                #expect(Set(rows(page)) == ["Wirral Ferries Ltd"])
                #expect(page.contains(#"value="Wirral Ferries Ltd""#))
            }
            let rep = try await Self.signIn(client, "jo@union.example")
            try await client.execute(uri: "/flags", method: .get, headers: [.cookie: rep]) { response in
                let page = Self.text(response)
                #expect(page.contains(#"<option value="\#(setup.covered)">Sefton Care CIC</option>"#))
                #expect(!page.contains("Wirral Ferries Ltd") && !page.contains(#"name="employer_named""#))
            }
        }
        await setup.pool.close()
    }

    static func application(_ setup: Setup) -> some ApplicationProtocol {
        CharterServer.application(
            configuration: CharterConfiguration(), pool: setup.pool, logger: Logger(label: "test"), users: setup.users)
    }

    static func text(_ response: TestResponse) -> String {
        String(buffer: response.body)
    }

    static func formHeaders(_ cookie: String? = nil) -> HTTPFields {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let cookie { headers[.cookie] = cookie }
        return headers
    }

    static func encoded(_ fields: [(String, String)]) -> ByteBuffer {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return ByteBuffer(
            string: fields.map {
                "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
            }.joined(separator: "&"))
    }

    /// The sign-in page as a browser gets it: the `Cookie` value of its pre-session token, and the
    /// token in the form.
    static func signInForm(_ client: some TestClientProtocol, uri: String = "/sign-in") async throws -> (
        cookie: String, token: String
    ) {
        let response = try await client.execute(uri: uri, method: .get)
        #expect(response.status == .ok)
        let setCookie = try #require(
            response.headers[values: .setCookie].first { $0.hasPrefix("__Host-charterwatch_sign_in=") })
        let match = try #require(text(response).firstMatch(of: /name="csrf_token" value="([A-Za-z0-9_-]+)"/))
        return (String(try #require(setCookie.split(separator: ";").first)), String(match.1))
    }

    /// Sends the sign-in form as a browser does: the sign-in page first, then the form with its token
    /// and cookie (and `extra` headers, `next` when given).
    static func postSignIn(
        _ client: some TestClientProtocol, _ email: String, password: String = password, extra: HTTPFields = [:],
        next: String? = nil
    ) async throws -> TestResponse {
        let form = try await signInForm(client)
        var headers = formHeaders(form.cookie)
        headers.append(contentsOf: extra)
        var fields = [("csrf_token", form.token), ("email", email), ("password", password)]
        if let next { fields.append(("next", next)) }
        return try await client.execute(uri: "/sign-in", method: .post, headers: headers, body: encoded(fields))
    }

    /// The `Cookie` value of the session a response sets.
    static func sessionCookie(_ response: TestResponse) throws -> String {
        let setCookie = try #require(
            response.headers[values: .setCookie].first { $0.hasPrefix("\(SessionCookie.defaultName)=") })
        return String(try #require(setCookie.split(separator: ";").first))
    }

    /// Signs in and returns the `Cookie` header value for the session.
    static func signIn(_ client: some TestClientProtocol, _ email: String) async throws -> String {
        let response = try await postSignIn(client, email)
        #expect(response.status == .seeOther)
        return try sessionCookie(response)
    }

    /// The CSRF token in the page at `uri`.
    static func csrf(_ client: some TestClientProtocol, _ cookie: String, _ uri: String) async throws -> String {
        try await client.execute(uri: uri, method: .get, headers: [.cookie: cookie]) { response in
            #expect(response.status == .ok)
            let page = text(response)
            let match = try #require(page.firstMatch(of: /name="csrf_token" value="([A-Za-z0-9_-]+)"/))
            return String(match.1)
        }
    }

    @Test func signInRefusesAWrongPasswordAndSetsAStrictCookieForTheRightOne() async throws {
        let setup = try await Self.setUp("web-sign-in")
        try await Self.application(setup).test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/sign-in")
            }
            try await client.execute(uri: "/sign-in", method: .get) { response in
                #expect(response.status == .ok)
                let page = Self.text(response)
                #expect(page.contains(#"<label for="email">"#))
                #expect(page.contains(#"<main id="main""#))
                #expect(!page.contains("<script"))
            }
            let refused = try await Self.postSignIn(client, "jo@union.example", password: "not the password at all")
            #expect(refused.status == .unauthorized)
            #expect(!refused.headers[values: .setCookie].contains { $0.hasPrefix(SessionCookie.defaultName) })
            #expect(Self.text(refused).contains("The email or password is not right."))
            let signedIn = try await Self.postSignIn(client, "jo@union.example")
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.headers[.location] == "/")
            let cookie = try #require(
                signedIn.headers[values: .setCookie].first { $0.hasPrefix("\(SessionCookie.defaultName)=") })
            for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
                #expect(cookie.split(separator: "; ").contains(Substring(attribute)))
            }
            let employer = try await Self.signIn(client, "hr@sefton.example")
            try await client.execute(uri: "/", method: .get, headers: [.cookie: employer]) { response in
                #expect(response.headers[.location] == "/employers/\(setup.covered)")
            }
            // Signing out ends the session: the cookie is cleared and no longer works.
            let token = try await Self.csrf(client, employer, "/employers/\(setup.covered)")
            try await client.execute(
                uri: "/sign-out", method: .post, headers: Self.formHeaders(employer),
                body: Self.encoded([("csrf_token", token)])
            ) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.setCookie]?.contains("Max-Age=0") == true)
            }
            try await client.execute(uri: "/employers/\(setup.covered)", method: .get, headers: [.cookie: employer]) {
                #expect($0.status == .seeOther)
                #expect($0.headers[.location] == "/sign-in?next=/employers/\(setup.covered)")
            }
        }
        await setup.pool.close()
    }

    @Test func aRepSeesOnlyCoveredFlagsAndFormsNeedTheCSRFToken() async throws {
        let setup = try await Self.setUp("web-flags")
        _ = try await NightlyCompliance(pool: setup.pool).run(asOf: CalendarDate(year: 2026, month: 11, day: 27)!)
        let flags = FlagStore(pool: setup.pool)
        let coveredFlag = try #require(
            try await flags.list(
                FlagStore.Filter(employerID: setup.covered, state: .open), visible: .all, cursor: nil, limit: 1
            ).flags.first)
        let otherFlag = try #require(
            try await flags.list(FlagStore.Filter(employerID: setup.other), visible: .all, cursor: nil, limit: 1)
                .flags.first)
        try await Self.application(setup).test(.router) { client in
            let rep = try await Self.signIn(client, "jo@union.example")
            try await client.execute(uri: "/flags", method: .get, headers: [.cookie: rep]) { response in
                #expect(response.status == .ok)
                let page = Self.text(response)
                #expect(page.contains("Sefton Care CIC</td>"))
                #expect(!page.contains("Wirral Ferries Ltd"))
                #expect(page.contains(#"href="/flags/\#(coveredFlag.id)""#))
                #expect(!page.contains(#"href="/flags/\#(otherFlag.id)""#))
                // The standard by its title, its id beneath; the filter offers the standards by title.
                let title = try #require(coveredFlag.standardTitle)
                #expect(page.contains("<td>\(title)<span class=\"id\">\(coveredFlag.standardID)</span></td>"))
                #expect(
                    page.contains(
                        #"<option value="\#(coveredFlag.standardID)">\#(title) (\#(coveredFlag.standardID))</option>"#))
                // Counts read most severe first.
                let critical = try #require(page.range(of: "critical:"))
                let info = try #require(page.range(of: "info:"))
                #expect(critical.lowerBound < info.lowerBound)
            }
            try await client.execute(
                uri: "/flags?standard=\(coveredFlag.standardID)", method: .get, headers: [.cookie: rep]
            ) { response in
                let page = Self.text(response)
                #expect(page.contains(#"<option value="\#(coveredFlag.standardID)" selected>"#))
                #expect(page.contains(#"href="/flags/\#(coveredFlag.id)""#))
            }
            // Another standard: the covered flag is filtered out (so the filter is applied, not only shown).
            let other = coveredFlag.standardID == "pay.real-living-wage" ? "gov.return-missing" : "pay.real-living-wage"
            try await client.execute(uri: "/flags?standard=\(other)", method: .get, headers: [.cookie: rep]) {
                response in
                let page = Self.text(response)
                #expect(page.contains(#"<option value="\#(other)" selected>"#))
                #expect(!page.contains(#"href="/flags/\#(coveredFlag.id)""#))
            }
            try await client.execute(uri: "/flags/\(otherFlag.id)", method: .get, headers: [.cookie: rep]) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            }
            try await client.execute(uri: "/employers/\(setup.other)", method: .get, headers: [.cookie: rep]) {
                #expect($0.status == .notFound)
            }
            let token = try await Self.csrf(client, rep, "/flags/\(coveredFlag.id)")
            let uri = "/flags/\(coveredFlag.id)/acknowledge"
            for fields in [[("note", "seen")], [("csrf_token", String(token.reversed())), ("note", "seen")]] {
                try await client.execute(
                    uri: uri, method: .post, headers: Self.formHeaders(rep), body: Self.encoded(fields)
                ) { response in
                    #expect(response.status == .forbidden)
                    #expect(Self.text(response).contains("nothing was changed"))
                }
            }
            #expect(try await flags.flag(id: coveredFlag.id)?.summary.state == .open)
            #expect(try await flags.flag(id: coveredFlag.id)?.events.count == 1)
            // The right token on another employer's flag is still a 404, and changes nothing.
            try await client.execute(
                uri: "/flags/\(otherFlag.id)/acknowledge", method: .post, headers: Self.formHeaders(rep),
                body: Self.encoded([("csrf_token", token)])
            ) { #expect($0.status == .notFound) }
            #expect(try await flags.flag(id: otherFlag.id)?.summary.state == .open)
        }
        await setup.pool.close()
    }

    @Test func aRepAcknowledgesThenResolvesAFlagThroughTheForms() async throws {
        let setup = try await Self.setUp("web-review")
        _ = try await NightlyCompliance(pool: setup.pool).run(asOf: CalendarDate(year: 2026, month: 11, day: 27)!)
        let flags = FlagStore(pool: setup.pool)
        let flag = try #require(
            try await flags.list(
                FlagStore.Filter(employerID: setup.covered, state: .open), visible: .all, cursor: nil, limit: 1
            ).flags.first)
        try await Self.application(setup).test(.router) { client in
            let rep = try await Self.signIn(client, "jo@union.example")
            let page = "/flags/\(flag.id)"
            let token = try await Self.csrf(client, rep, page)
            try await client.execute(uri: page, method: .get, headers: [.cookie: rep]) { response in
                let html = Self.text(response)
                #expect(html.contains(#"action="/flags/\#(flag.id)/resolve""#))
                // The evidence reads as labelled figures (as in the emails), the JSON folded away below.
                #expect(html.contains("<dt>Charter version</dt>"))
                #expect(html.contains("<details><summary>Everything recorded with the flag (JSON)</summary>"))
                // A rep may not respond or dispute: those forms are not shown.
                #expect(!html.contains(#"action="/flags/\#(flag.id)/respond""#))
                #expect(!html.contains(#"action="/flags/\#(flag.id)/dispute""#))
            }
            try await client.execute(
                uri: "\(page)/acknowledge", method: .post, headers: Self.formHeaders(rep),
                body: Self.encoded([("csrf_token", token), ("note", "")])
            ) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == page)
            }
            // Resolving without a note is refused with the sentence, on the flag page.
            try await client.execute(
                uri: "\(page)/resolve", method: .post, headers: Self.formHeaders(rep),
                body: Self.encoded([("csrf_token", token), ("note", "  ")])
            ) { response in
                #expect([.conflict, .unprocessableContent].contains(response.status))
                #expect(Self.text(response).contains("note"))
                #expect(Self.text(response).contains(#"role="alert""#))
            }
            try await client.execute(
                uri: "\(page)/resolve", method: .post, headers: Self.formHeaders(rep),
                body: Self.encoded([("csrf_token", token), ("note", "Return received late & complete")])
            ) { #expect($0.status == .seeOther) }
            try await client.execute(uri: page, method: .get, headers: [.cookie: rep]) { response in
                let html = Self.text(response)
                #expect(html.contains("open → acknowledged"))
                #expect(html.contains("acknowledged → resolved"))
                #expect(html.contains("Return received late &amp; complete"))
            }
            // The pool runs as the application's service until here.
            #expect(try await flags.flag(id: flag.id)?.summary.state == .resolved)
        }
    }

    /// The employer page's upload form as a browser sends it.
    static func uploadForm(csrf: String, lines: [String]) -> ByteBuffer {
        let columns =
            "worker_ref,employment_type,contract_type,age_band,workplace_london,hourly_rate,contracted_hours,"
            + "avg_actual_hours_12w,start_date,shifts_scheduled,shifts_short_notice,shifts_cancelled_short_notice,"
            + "shifts_cancelled_paid"
        let parts = [
            "--b0undary", "Content-Disposition: form-data; name=\"csrf_token\"", "", csrf,
            "--b0undary", "Content-Disposition: form-data; name=\"period\"", "", "2026-Q3",
            "--b0undary", "Content-Disposition: form-data; name=\"header\"; filename=\"header.json\"",
            "Content-Type: application/json", "",
            #"{"period": "2026-Q3", "headcount": \#(lines.count), "attestations": {"sick_pay_waiting_days": 0}}"#,
            "--b0undary", "Content-Disposition: form-data; name=\"lines\"; filename=\"payroll.csv\"",
            "Content-Type: text/csv", "", ([columns] + lines).joined(separator: "\r\n"),
        ]
        return ByteBuffer(string: parts.joined(separator: "\r\n") + "\r\n--b0undary--\r\n")
    }

    @Test func anEmployerUploadsAReturnWithAnErrorThenACorrectedOne() async throws {
        let setup = try await Self.setUp("web-upload")
        let good = "W1,direct,permanent,21_plus,no,13.50,37.5,37.5,2021-03-01,60,2,1,1"
        let bad = "W2,direct,permanent,21_plus,maybe,13.50,37.5,37.5,2021-03-01,60,2,1,1"
        try await Self.application(setup).test(.router) { client in
            let employer = try await Self.signIn(client, "hr@sefton.example")
            let token = try await Self.csrf(client, employer, "/employers/\(setup.covered)")
            let uri = "/employers/\(setup.covered)/returns/upload"
            let headers: HTTPFields = [.cookie: employer, .contentType: "multipart/form-data; boundary=b0undary"]
            try await client.execute(
                uri: uri, method: .post, headers: headers, body: Self.uploadForm(csrf: "wrong", lines: [good])
            ) { #expect($0.status == .forbidden) }
            try await client.execute(
                uri: uri, method: .post, headers: headers, body: Self.uploadForm(csrf: token, lines: [good, bad])
            ) { response in
                #expect(response.status == .unprocessableContent)
                let html = Self.text(response)
                #expect(html.contains("rejected with 1 error"))
                #expect(html.contains("<td>3</td><td>workplace_london</td>"))
            }
            try await client.execute(
                uri: "/employers/\(setup.covered)/returns/2026-Q3", method: .get, headers: [.cookie: employer]
            ) { #expect($0.status == .notFound) }
            try await client.execute(
                uri: uri, method: .post, headers: headers, body: Self.uploadForm(csrf: token, lines: [good])
            ) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/employers/\(setup.covered)/returns/2026-Q3/versions/1")
            }
            try await client.execute(
                uri: "/employers/\(setup.covered)/returns/2026-Q3", method: .get, headers: [.cookie: employer]
            ) { response in
                #expect(response.status == .ok)
                #expect(Self.text(response).contains("version 1"))
            }
            // An amendment adds a worker: version 2, and the diff names the line.
            let added = "W3,direct,permanent,21_plus,no,14.00,30,30,2022-05-01,40,0,0,0"
            try await client.execute(
                uri: uri, method: .post, headers: headers, body: Self.uploadForm(csrf: token, lines: [good, added])
            ) { #expect($0.status == .seeOther) }
            try await client.execute(
                uri: "/employers/\(setup.covered)/returns/2026-Q3?from=1&to=2", method: .get,
                headers: [.cookie: employer]
            ) { response in
                #expect(response.status == .ok)
                let html = Self.text(response)
                #expect(html.contains("Changes from version 1 to version 2"))
                #expect(html.contains("<td>W3</td><td>added</td>"))
            }
            // Another employer's page and upload are not there for this employer.
            try await client.execute(uri: "/employers/\(setup.other)", method: .get, headers: [.cookie: employer]) {
                #expect($0.status == .notFound)
            }
            try await client.execute(
                uri: "/employers/\(setup.other)/returns/upload", method: .post, headers: headers,
                body: Self.uploadForm(csrf: token, lines: [good])
            ) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/admin", method: .get, headers: [.cookie: employer]) {
                #expect($0.status == .forbidden)
            }
        }
        await setup.pool.close()
    }

    @Test func anAdminSeesTheOverviewAndAnEmployerAnswersAFlag() async throws {
        let setup = try await Self.setUp("web-admin", throttle: SignInThrottle(maxFailuresPerEmail: 2))
        _ = try await NightlyCompliance(pool: setup.pool).run(asOf: CalendarDate(year: 2026, month: 11, day: 27)!)
        _ = try await ExemptionStore(pool: setup.pool).add(
            employerID: setup.other, standardID: "pay.real-living-wage", periodFrom: nil, periodTo: nil,
            reason: "Ferry crews <on> a sector agreement", expiresOn: CalendarDate(year: 2027, month: 3, day: 31)!,
            actor: "test")
        let flags = FlagStore(pool: setup.pool)
        let flag = try #require(
            try await flags.list(
                FlagStore.Filter(employerID: setup.covered, state: .open), visible: .all, cursor: nil, limit: 1
            ).flags.first)
        try await Self.application(setup).test(.router) { client in
            let admin = try await Self.signIn(client, "team@charter.example")
            try await client.execute(uri: "/admin", method: .get, headers: [.cookie: admin]) { response in
                #expect(response.status == .ok)
                let html = Self.text(response)
                #expect(html.contains("<td>Jo Rep</td><td>jo@union.example</td><td>Sefton Care CIC</td>"))
                #expect(html.contains("Ferry crews &lt;on&gt; a sector agreement"))
                #expect(html.contains(#"href="/admin""#))
            }
            try await client.execute(
                uri: "/flags?employer=\(setup.other)&severity=&state=open", method: .get, headers: [.cookie: admin]
            ) { response in
                #expect(response.status == .ok)
                let html = Self.text(response)
                #expect(html.contains("Wirral Ferries Ltd</td>"))
                #expect(!html.contains("Sefton Care CIC</td>"))
            }
            try await client.execute(uri: "/flags?severity=dreadful", method: .get, headers: [.cookie: admin]) {
                response in
                #expect(response.status == .badRequest)
                #expect(Self.text(response).contains("The severity filter must be"))
            }
            let rep = try await Self.signIn(client, "jo@union.example")
            try await client.execute(uri: "/admin", method: .get, headers: [.cookie: rep]) {
                #expect($0.status == .forbidden)
            }
            // A session reads the JSON API but changes nothing through it (no CSRF check there).
            try await client.execute(uri: "/v1/flags", method: .get, headers: [.cookie: rep]) {
                #expect($0.status == .ok)
            }
            try await client.execute(
                uri: "/v1/flags/\(flag.id)/acknowledge", method: .post, headers: [.cookie: rep]
            ) { #expect($0.status == .forbidden) }

            let employer = try await Self.signIn(client, "hr@sefton.example")
            let page = "/flags/\(flag.id)"
            let token = try await Self.csrf(client, employer, page)
            try await client.execute(uri: page, method: .get, headers: [.cookie: employer]) { response in
                let html = Self.text(response)
                #expect(html.contains(#"action="/flags/\#(flag.id)/respond""#))
                #expect(html.contains(#"action="/flags/\#(flag.id)/dispute""#))
                #expect(!html.contains(#"action="/flags/\#(flag.id)/resolve""#))
            }
            try await client.execute(
                uri: "\(page)/respond", method: .post, headers: Self.formHeaders(employer),
                body: Self.encoded([
                    ("csrf_token", token), ("explanation", "Our payroll provider failed to file"),
                    ("action_plan", "File by Friday"), ("target_date", "2026-12-04"),
                ])
            ) { #expect($0.status == .seeOther) }
            try await client.execute(uri: page, method: .get, headers: [.cookie: employer]) { response in
                let html = Self.text(response)
                #expect(html.contains("Our payroll provider failed to file"))
                #expect(html.contains("4 Dec 2026"))
            }
            #expect(try await flags.flag(id: flag.id)?.response?.actionPlan == "File by Friday")

            // Too many wrong passwords: 429 with when to try again, and no password check.
            for expected in [HTTPResponse.Status.unauthorized, .unauthorized, .tooManyRequests] {
                let response = try await Self.postSignIn(client, "hr@sefton.example", password: "wrong wrong wrong")
                #expect(response.status == expected)
                if expected == .tooManyRequests {
                    #expect(response.headers[.retryAfter] != nil)
                    #expect(Self.text(response).contains("try again in"))
                }
            }
        }
    }
}

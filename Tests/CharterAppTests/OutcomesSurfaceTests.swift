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
import PGClient
import TestSupport
import Testing

/// SPEC §11's surfaces: `GET /v1/outcomes`, `/outcomes.csv` and `/outcomes` withhold every small
/// figure from the public and show them in full to the charter team; the employer page puts the
/// employer's figures beside the region's; a rep sees their covered employers' figures suppressed.
@Suite("Charter outcomes on the web and the API", .timeLimit(.minutes(10)))
struct OutcomesSurfaceTests {
    struct Setup {
        var conninfo: String
        var web: WebPagesTests.Setup
        /// The only public-sector employer: its sector's figures are always withheld from the public.
        var lone: Int64
        var adminToken: String
    }

    static let columns =
        "worker_ref,employment_type,contract_type,age_band,workplace_london,hourly_rate,contracted_hours,"
        + "start_date,shifts_scheduled,shifts_short_notice,shifts_cancelled_short_notice,shifts_cancelled_paid,sex,"
        + "apprentice_first_year,zhc_by_request"

    /// `count` lines: every third on £12 (below the Real Living Wage), every fourth zero-hours, half women.
    static func csv(_ count: Int) -> String {
        let lines = (1...count).map { n in
            "W\(n),direct,\(n % 4 == 0 ? "zero_hours" : "permanent"),21_plus,no,\(n % 3 == 0 ? "12.00" : "14.50"),"
                + "\(n % 4 == 0 ? "0" : "37.5"),2021-03-01,0,0,0,0,\(n % 2 == 0 ? "female" : "male"),no,yes"
        }
        return ([columns] + lines).joined(separator: "\r\n") + "\r\n"
    }

    static func submit(_ pool: PGPool, employer: Int64, period: String, lines: Int) async throws {
        let header = Data("{\"period\": \"\(period)\", \"headcount\": \(lines), \"attestations\": {}}".utf8)
        let bytes = Array(csv(lines).utf8)
        let outcome = try await ReturnStore(pool: pool).submit(
            ReturnSubmission(employerID: employer, submittedBy: "payroll@example.org", header: header),
            csv: AsyncStream { continuation in
                continuation.yield(bytes)
                continuation.finish()
            })
        guard case .accepted = outcome else { throw CharterStoreError(.invalid, "rejected: \(outcome)") }
    }

    /// Four employers: three private (the rep covers one) with 10 workers each, one public with 2; the
    /// rep, the employer and the charter team as users (`WebPagesTests`' password).
    static func setUp(_ name: String) async throws -> Setup {
        let database = try await MigratedDatabase(name)
        let pool = database.pool
        let employers = EmployerStore(pool: pool)
        let covered = try #require(try await employers.add(Employer(name: "Sefton Care CIC"), actor: "test").id)
        let other = try #require(try await employers.add(Employer(name: "Wirral Ferries Ltd"), actor: "test").id)
        let third = try #require(try await employers.add(Employer(name: "Knowsley Kitchens Ltd"), actor: "test").id)
        var lone = Employer(name: "Halton Library Service")
        lone.sector = .public
        let loneID = try #require(try await employers.add(lone, actor: "test").id)
        for employer in [covered, other] {
            _ = try await PledgeStore(pool: pool).add(
                employerID: employer, tier: .accredited, livingHours: false, overrides: PledgeOverrides(),
                validFrom: CalendarDate(year: 2026, month: 1, day: 1)!, validTo: nil, actor: "test")
        }
        let rep = try await RepStore(pool: pool).add(
            name: "Jo Rep", email: "jo@union.example", unionName: nil, covers: [covered], actor: "test")
        let users = UserStore(pool: pool, hasher: PasswordHasher(iterations: 1_000))
        _ = try await users.create(
            email: "jo@union.example", displayName: "Jo Rep", role: .rep, employerID: nil, repID: rep.id,
            password: WebPagesTests.password, by: "test")
        _ = try await users.create(
            email: "team@charter.example", displayName: "Charter Team", role: .admin, employerID: nil, repID: nil,
            password: WebPagesTests.password, by: "test")
        for period in ["2026-Q2", "2026-Q3"] {
            for employer in [covered, other, third] {
                try await submit(pool, employer: employer, period: period, lines: period == "2026-Q2" ? 9 : 10)
            }
            try await submit(pool, employer: loneID, period: period, lines: 2)
        }
        let issued = try await TokenStore(pool: pool).create(
            role: .admin, employerID: nil, repID: nil, label: nil, expiresAt: nil, createdBy: "test")
        return Setup(
            conninfo: database.conninfo,
            web: WebPagesTests.Setup(pool: pool, users: users, covered: covered, other: other), lone: loneID,
            adminToken: issued.token.text)
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    @Test func theAPIWithholdsSmallFiguresFromThePublicAndShowsThemToTheCharterTeam() async throws {
        let setup = try await Self.setUp("outcomes-api")
        try await WebPagesTests.application(setup.web).test(.router) { client in
            let open = try await client.execute(uri: "/v1/outcomes?period=2026-Q3&by=sector", method: .get)
            #expect(open.status == .ok)
            let publicView = try Self.json(open)
            #expect(publicView["period"] as? String == "2026-Q3")
            #expect((publicView["workers"] as? NSNumber)?.intValue == 32)
            #expect((publicView["employers_reporting"] as? NSNumber)?.intValue == 4)
            let groups = try #require(publicView["groups"] as? [[String: Any]])
            let lone = try #require(groups.first { $0["sector"] as? String == "public" })
            #expect(lone["suppressed"] as? Bool == true)
            #expect(lone["workers"] is NSNull)
            #expect(lone["below_rlw_share"] is NSNull)
            // The region less the private sector would be the lone public employer: private is withheld too.
            let privateGroup = try #require(groups.first { $0["sector"] as? String == "private" })
            #expect(privateGroup["suppressed"] as? Bool == true)
            #expect(privateGroup["workers"] is NSNull)
            #expect(privateGroup["below_rlw"] is NSNull)
            for group in groups {
                for figure in ["workers", "lines", "below_rlw", "rlw_in_scope"] {
                    if let shown = (group[figure] as? NSNumber)?.intValue,
                        let total = (publicView[figure] as? NSNumber)?.intValue
                    {
                        #expect(shown == total || total - shown >= 5, "\(figure) of \(group) can be subtracted out")
                    }
                }
            }
            #expect(
                (publicView["trend"] as? [[String: Any]])?.map { $0["period"] as? String } == ["2026-Q2", "2026-Q3"])

            let full = try Self.json(
                try await client.execute(
                    uri: "/v1/outcomes?period=2026-Q3&by=sector", method: .get,
                    headers: [.authorization: "Bearer \(setup.adminToken)"]))
            let fullLone = try #require(
                (full["groups"] as? [[String: Any]])?.first { $0["sector"] as? String == "public" })
            #expect(fullLone["suppressed"] as? Bool == false)
            #expect((fullLone["workers"] as? NSNumber)?.intValue == 2)

            let badPeriod = try await client.execute(uri: "/v1/outcomes?period=2026-Q5", method: .get)
            #expect(badPeriod.status == .badRequest)
            #expect(String(buffer: badPeriod.body).contains("query parameter period must be a quarter written YYYY-Qn"))
            let badBreakdown = try await client.execute(uri: "/v1/outcomes?by=region", method: .get)
            #expect(badBreakdown.status == .badRequest)
            #expect(String(buffer: badBreakdown.body).contains("sector or tier"))
        }
    }

    @Test func theCSVIsSuppressedOpenDataNamingEachFigureAndThePeriod() async throws {
        let setup = try await Self.setUp("outcomes-csv")
        try await WebPagesTests.application(setup.web).test(.router) { client in
            let response = try await client.execute(
                uri: "/outcomes.csv?period=2026-Q3", method: .get,
                headers: [.authorization: "Bearer \(setup.adminToken)"])
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
            let rows = String(buffer: response.body).split(separator: "\r\n").map {
                $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            }
            let header = try #require(rows.first)
            #expect(header == RegionalOutcomes.csvHeader)
            let workers = try #require(header.firstIndex(of: "workers"))
            let lone = try #require(rows.first { $0.count > 2 && $0[1] == "sector" && $0[2] == "public" })
            #expect(lone[0] == "2026-Q3")
            #expect(lone[workers] == "")  // withheld even for a charter team token: it is open data
            #expect(lone.last == "true")
            #expect(rows.first { $0.count > 2 && $0[1] == "region" }?[workers] == "32")
        }
    }

    @Test func thePageIsPublicAndSuppressedAndFullForTheCharterTeam() async throws {
        let setup = try await Self.setUp("outcomes-page")
        try await WebPagesTests.application(setup.web).test(.router) { client in
            let open = try await client.execute(uri: "/outcomes?period=2026-Q3", method: .get)
            #expect(open.status == .ok)
            let publicPage = WebPagesTests.text(open)
            #expect(publicPage.contains("are withheld and shown as “—”"))
            #expect(publicPage.contains("<svg role=\"img\""))
            #expect(publicPage.contains("<th scope=\"row\">Public</th>"))
            // The public sector's row: its one employer's figures are all withheld.
            let publicRow = try #require(publicPage.firstMatch(of: /<th scope="row">Public<\/th>(.*?)<\/tr>/))
            #expect(!String(publicRow.1).contains(/[0-9]/))

            let cookie = try await WebPagesTests.signIn(client, "team@charter.example")
            let full = WebPagesTests.text(
                try await client.execute(uri: "/outcomes?period=2026-Q3", method: .get, headers: [.cookie: cookie]))
            #expect(full.contains("You are seeing every figure in full"))
            let fullRow = try #require(full.firstMatch(of: /<th scope="row">Public<\/th>(.*?)<\/tr>/))
            #expect(String(fullRow.1).contains("<td>2</td>"))

            let employerPage = WebPagesTests.text(
                try await client.execute(uri: "/employers/\(setup.lone)", method: .get, headers: [.cookie: cookie]))
            #expect(employerPage.contains("This employer's figures beside the region's"))

            let bad = try await client.execute(uri: "/outcomes?period=soon", method: .get)
            #expect(bad.status == .badRequest)
            #expect(WebPagesTests.text(bad).contains("is not a quarter: write it as YYYY-Qn"))
        }
    }

    @Test func aRepSeesTheirCoveredEmployersSuppressed() async throws {
        let setup = try await Self.setUp("outcomes-rep")
        try await WebPagesTests.application(setup.web).test(.router) { client in
            let cookie = try await WebPagesTests.signIn(client, "jo@union.example")
            let page = WebPagesTests.text(
                try await client.execute(uri: "/outcomes?period=2026-Q3", method: .get, headers: [.cookie: cookie]))
            #expect(page.contains("The employers you cover"))
            #expect(!page.contains("You are seeing every figure in full"))
            // One covered employer: fewer than 3 employers, so every covered figure is withheld.
            let covered = try #require(
                page.firstMatch(of: /<caption id="covered-caption">.*?<\/table>/.dotMatchesNewlines()))
            #expect(!String(covered.0).contains("<td>10</td>"))
            // On the covered employer's own page, figures of 5 or more workers are shown.
            let employerPage = WebPagesTests.text(
                try await client.execute(
                    uri: "/employers/\(setup.web.covered)", method: .get, headers: [.cookie: cookie]))
            #expect(employerPage.contains("figures of fewer than 5 workers withheld"))
            #expect(employerPage.contains("<td>10</td>"))
        }
    }

    @Test func theWeeklySummaryCarriesTheHeadlineFiguresAndTheirChange() async throws {
        let setup = try await Self.setUp("outcomes-weekly")
        let report = try #require(try await Outcomes(pool: setup.web.pool).report())
        guard case .weeklySummary(var summary) = ReportRendererTests.weeklySummary else {
            Issue.record("the renderer tests' weekly summary is another kind of report")
            return
        }
        summary.outcomes = WeeklySummary.OutcomesHeadline(report)
        let rendered = try ReportRendererTests.renderer().render(
            .weeklySummary(summary), date: ReportRendererTests.date)
        let read = try #require(try await ParsedMail.parse([rendered.message]).first)
        let text = try #require(read.text)
        #expect(text.contains("Charter outcomes, 2026-Q3 (change since 2026-Q2)\n"))
        // 9 of 32 in scope below the rate, against 9 of 29 in 2026-Q2.
        #expect(text.contains("   Share paid below the Real Living Wage: 28.1% (down 2.9 points)\n"))
        #expect(text.contains("   Workers covered (headcount): 32 (up 3)\n"))
        #expect(text.contains("/outcomes?period=2026-Q3"))
        let html = try #require(read.html)
        #expect(html.contains("<td>4</td><td>no change</td>"))
    }

    /// `Tests/Browser/outcomes.py` in headless Chromium against a live charterd: `/outcomes` for the public
    /// and for the charter team (screenshots kept under `artefacts/browser/outcomes`), in print and at
    /// 400 % zoom, and the employer page, with axe-core on each.
    @Test func theOutcomesPageInABrowser() async throws {
        let setup = try await Self.setUp("outcomes-browser")
        await setup.web.pool.close()
        let work = URL(fileURLWithPath: "/tmp/cw-outcomes-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: work) }
        let daemon = try DaemonProcess(database: setup.conninfo, stateDirectory: work.appending(path: "state"))
        try await BrowserWalk.run(
            "outcomes.py", against: daemon,
            environment: ["CW_PASSWORD": WebPagesTests.password, "CW_EMPLOYER_ID": String(setup.lone)],
            artefacts: "outcomes")
        #expect(try await daemon.terminate() == 0)
    }
}

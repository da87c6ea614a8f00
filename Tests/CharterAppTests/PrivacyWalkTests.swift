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

/// SPEC §4, §8: a union rep trusts a flag only if it is private. One employer's return is amended to
/// change exactly one worker's rate; a rep covering the employer then reads every surface a rep reaches —
/// the API's return, version and diff routes, the flag list and each flag, the web pages of the employer,
/// the return and its comparison, the flag list and each flag, and the rep digest, the flag notice and
/// their CSV attachments as the mail client reads them — and finds no worker_ref and no worker's rate.
@Suite("Privacy walk: a rep's every surface", .timeLimit(.minutes(10)))
struct PrivacyWalkTests {
    /// The workers and their rates in version 1; version 2 cuts `Q4W003` from 13.6000 to 13.1000, below
    /// the Real Living Wage of 13.45 in force at 2026-09-30.
    static let rates = [
        ("Q4W001", "14.2100"), ("Q4W002", "14.3200"), ("Q4W003", "13.6000"), ("Q4W004", "14.5400"),
        ("Q4W005", "14.6500"), ("Q4W006", "14.7600"),
    ]

    /// What must never reach a rep: any worker_ref, and any one worker's rate (or the shortfall that gives
    /// the cut rate away: 13.45 − 13.10).
    static let secrets = ["Q4W", "13.1", "13.6", "14.21", "14.32", "14.54", "14.65", "14.76", "0.35"]

    static func json(_ rates: [(String, String)]) -> String {
        let lines = rates.map { ref, rate in
            #"{"worker_ref": "\#(ref)", "employment_type": "direct", "contract_type": "permanent", "#
                + #""age_band": "21_plus", "workplace_london": "no", "hourly_rate": "\#(rate)", "#
                + #""contracted_hours": "37.5", "avg_actual_hours_12w": "37.5", "start_date": "2021-03-01", "#
                + #""shifts_scheduled": "60", "shifts_short_notice": "0", "shifts_cancelled_short_notice": "0", "#
                + #""shifts_cancelled_paid": "0"}"#
        }
        return #"{"period": "2026-Q3", "headcount": 6, "attestations": {"sick_pay_waiting_days": 0}, "lines": ["#
            + lines.joined(separator: ", ") + "]}"
    }

    @Test func aRepFindsNoWorkerRefAndNoWorkersPayOnAnySurface() async throws {
        let setup = try await APITests.setUp("privacy-walk")
        let pool = setup.pool
        let repID = try await pool.withConnection {
            try await $0.query("SELECT id FROM reps WHERE email = 'jo@union.example'")[0].decode(
                Int64.self, column: "id")
        }
        let users = UserStore(pool: pool, hasher: PasswordHasher(iterations: 1_000))
        _ = try await users.create(
            email: "jo@union.example", displayName: "Jo Rep", role: .rep, employerID: nil, repID: repID,
            password: WebPagesTests.password, by: "test")
        let queue = try APIFlagNoticeTests.queue()
        let application = CharterServer.application(
            configuration: CharterConfiguration(), pool: pool, logger: Logger(label: "test"), users: users,
            reportQueue: queue)
        let employer = setup.employer
        let returnURI = "/v1/employers/\(employer)/returns/2026-Q3"
        try await application.test(.router) { client in
            func get(_ uri: String, _ token: String) async throws -> String {
                try await client.execute(uri: uri, method: .get, headers: APITests.headers(token, json: false)) {
                    #expect($0.status == .ok, "\(uri)")
                    return String(buffer: $0.body)
                }
            }
            // The employer sends the return, then amends one worker's rate.
            var amended = Self.rates
            amended[2].1 = "13.1000"
            for (rates, status) in [(Self.rates, HTTPResponse.Status.created), (amended, .created)] {
                try await client.execute(
                    uri: returnURI, method: .post, headers: APITests.headers(setup.employerToken),
                    body: ByteBuffer(string: Self.json(rates))
                ) { #expect($0.status == status) }
            }
            // The employer (and the charter team) see the line that changed: the walk below would notice it.
            for token in [setup.employerToken, setup.admin] {
                let full = try await get("\(returnURI)/diff?from=1&to=2", token)
                #expect(full.contains("Q4W003") && full.contains("13.1000") && full.contains("13.6000"))
            }
            // The nightly run flags the cut (queueing the rep's digest); the employer answers the flag,
            // which sends the rep a notice.
            let run = try await NightlyCompliance(pool: pool, reportQueue: queue).run(
                asOf: CalendarDate(Date(), in: .europeLondon))
            #expect(run.errors == [])
            let rlw = try await pool.withConnection {
                try await $0.query(
                    "SELECT id FROM flags WHERE standard_id = 'pay.real-living-wage' AND period = '2026-Q3'"
                )[0].decode(Int64.self, column: "id")
            }
            try await APIFlagNoticeTests.respond(client, setup, to: rlw)

            var seen: [(surface: String, text: String)] = []
            // The API, as the rep's token reaches it.
            let flagList = try await get("/v1/flags?employer=\(employer)&limit=500", setup.repToken)
            let flagIDs = try #require(
                (try JSONSerialization.jsonObject(with: Data(flagList.utf8)) as? [String: Any])?["flags"]
                    as? [[String: Any]]
            ).compactMap { $0["id"] as? Int }
            #expect(flagIDs.contains(Int(rlw)))
            seen.append(("GET /v1/flags", flagList))
            let apiPaths =
                [
                    returnURI, "\(returnURI)/versions/1", "\(returnURI)/versions/2", "\(returnURI)/diff?from=1&to=2",
                    "/v1/flags/counts?employer=\(employer)", "/v1/employers/\(employer)",
                ] + flagIDs.map { "/v1/flags/\($0)" }
            for path in apiPaths { seen.append(("GET \(path)", try await get(path, setup.repToken))) }

            // The web pages, signed in as the rep.
            let cookie = try await WebPagesTests.signIn(client, "jo@union.example")
            let webPaths =
                [
                    "/employers/\(employer)", "/employers/\(employer)/returns/2026-Q3",
                    "/employers/\(employer)/returns/2026-Q3?from=1&to=2", "/flags",
                ] + flagIDs.map { "/flags/\($0)" }
            for path in webPaths {
                let page = try await client.execute(uri: path, method: .get, headers: [.cookie: cookie]) {
                    #expect($0.status == .ok, "\(path)")
                    return String(buffer: $0.body)
                }
                seen.append(("web \(path)", page))
            }

            // The rep's mail, decoded as a mail client would: bodies and attachments.
            let messages = try await pool.withConnection {
                try await $0.query(
                    "SELECT kind, message FROM outbox_messages WHERE \("jo@union.example") = ANY(recipients) ORDER BY id"
                ).map {
                    (try $0.decode(String.self, column: "kind"), try $0.decode(PGBytes.self, column: "message").bytes)
                }
            }
            #expect(Set(messages.map(\.0)) == ["rep-digest", "flag-notice"])
            let parsed = try await ParsedMail.parse(messages.map(\.1))
            for ((kind, _), mail) in zip(messages, parsed) {
                #expect(mail.error == nil)
                seen.append(("\(kind) subject", mail.subject ?? ""))
                seen.append(("\(kind) text", mail.text ?? ""))
                seen.append(("\(kind) html", mail.html ?? ""))
                // The digest attaches the flags it lists as CSV; a notice, about one flag, has no attachment.
                let attached = mail.attachments?.compactMap(\.text) ?? []
                #expect(attached.count == (kind == "rep-digest" ? 1 : 0), "\(kind)")
                seen += attached.map { ("\(kind) attachment", $0) }
            }

            for (surface, text) in seen {
                #expect(!text.isEmpty, "\(surface) is empty")
                for secret in Self.secrets {
                    #expect(!text.contains(secret), "\(surface) shows \(secret)")
                }
            }
            // What the rep is told instead: a few lines changed, no more.
            let diff = try #require(seen.first { $0.surface == "GET \(returnURI)/diff?from=1&to=2" }?.text)
            let compared = try #require(try JSONSerialization.jsonObject(with: Data(diff.utf8)) as? [String: Any])
            #expect(compared["lines_changed"] as? String == "fewer than 5")
            #expect(compared["lines_added"] as? Int == 0)
            #expect(compared["lines"] == nil)
            let page = try #require(
                seen.first { $0.surface == "web /employers/\(employer)/returns/2026-Q3?from=1&to=2" })
            #expect(page.text.contains("fewer than 5 changed"))
            let flagJSON = try #require(seen.first { $0.surface == "GET /v1/flags/\(rlw)" }?.text)
            let flag = try #require(try JSONSerialization.jsonObject(with: Data(flagJSON.utf8)) as? [String: Any])
            #expect((flag["evidence"] as? [String: Any])?["workers"] as? String == "fewer than 5")
        }
        await pool.close()
    }
}

import CharterAccess
import CharterApp
import CharterDomain
import CharterStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PGClient
import TestSupport
import Testing

/// SPEC §2: a return is accepted only once its period's snapshot date has passed (Europe/London); an
/// earlier one is refused with a sentence naming the first day it can be sent. Every way in — the JSON
/// API, the API's upload, the web form and `charterctl return submit` — refuses the current quarter
/// (which, whatever today is, has not ended), names the field `period`, and stores nothing.
@Suite("Returns for a period that has not ended", .timeLimit(.minutes(10)))
struct UnendedPeriodTests {
    /// The quarter of today in London: never ended.
    static let period = ReportingPeriod(containing: CalendarDate(Date(), in: .europeLondon))
    static let firstDay = period.firstDayToSend.description
    static let columns =
        "worker_ref,employment_type,contract_type,age_band,workplace_london,hourly_rate,contracted_hours,"
        + "avg_actual_hours_12w,start_date,shifts_scheduled,shifts_short_notice,shifts_cancelled_short_notice,"
        + "shifts_cancelled_paid"
    static let line = "W1,direct,permanent,21_plus,no,13.50,37.5,37.5,2021-03-01,60,2,1,1"
    static let header = #"{"period": "\#(period)", "headcount": 1, "attestations": {"sick_pay_waiting_days": 0}}"#

    /// A multipart body with `fields` before the header and lines parts.
    static func multipart(_ fields: [(String, String)] = []) -> ByteBuffer {
        var parts: [String] = []
        for (name, value) in fields {
            parts += ["--b0undary", "Content-Disposition: form-data; name=\"\(name)\"", "", value]
        }
        parts += [
            "--b0undary", "Content-Disposition: form-data; name=\"header\"; filename=\"header.json\"",
            "Content-Type: application/json", "", header,
            "--b0undary", "Content-Disposition: form-data; name=\"lines\"; filename=\"payroll.csv\"",
            "Content-Type: text/csv", "", columns + "\r\n" + line,
        ]
        return ByteBuffer(string: parts.joined(separator: "\r\n") + "\r\n--b0undary--\r\n")
    }

    @Test func everyWayInRefusesItNamingThePeriodAndTheFirstDay() async throws {
        let database = try await MigratedDatabase("unended-period")
        let pool = database.pool
        let employer = try #require(
            try await EmployerStore(pool: pool).add(Employer(name: "Sefton Care CIC"), actor: "test").id)
        _ = try await PledgeStore(pool: pool).add(
            employerID: employer, tier: .aspiring, livingHours: false, overrides: PledgeOverrides(),
            validFrom: CalendarDate(year: 2026, month: 1, day: 1)!, validTo: nil, actor: "test")
        let token = try await TokenStore(pool: pool).create(
            role: .employer, employerID: employer, repID: nil, label: nil, expiresAt: nil, createdBy: "test"
        ).token.text
        let users = UserStore(pool: pool, hasher: PasswordHasher(iterations: 1_000))
        _ = try await users.create(
            email: "hr@sefton.example", displayName: "Sam HR", role: .employer, employerID: employer, repID: nil,
            password: WebPagesTests.password, by: "test")
        let application = CharterServer.application(
            configuration: CharterConfiguration(), pool: pool, logger: Logger(label: "test"), users: users)
        let base = "/v1/employers/\(employer)/returns/\(Self.period)"
        try await application.test(.router) { client in
            // The JSON API.
            let json = Self.header.replacingOccurrences(
                of: #""attestations""#,
                with: #""lines": [{"worker_ref": "W1", "employment_type": "direct", "contract_type": "permanent", "#
                    + #""age_band": "21_plus", "workplace_london": "no", "hourly_rate": "13.50", "#
                    + #""contracted_hours": "37.5", "start_date": "2021-03-01", "shifts_scheduled": "60", "#
                    + #""shifts_short_notice": "2", "shifts_cancelled_short_notice": "1", "#
                    + #""shifts_cancelled_paid": "1"}], "attestations""#)
            let multipartType = "multipart/form-data; boundary=b0undary"
            let requests: [(String, String, ByteBuffer)] = [
                (base, "application/json", ByteBuffer(string: json)),
                ("\(base)/upload", multipartType, Self.multipart()),
            ]
            for (uri, type, body) in requests {
                try await client.execute(
                    uri: uri, method: .post, headers: [.authorization: "Bearer \(token)", .contentType: type],
                    body: body
                ) { response in
                    #expect(response.status == .unprocessableContent, "\(uri)")
                    let problem = try APITests.object(response)
                    let errors = try #require(problem["errors"] as? [[String: Any]])
                    #expect(errors.count == 1)
                    #expect(errors.first?["column"] as? String == "period")
                    #expect(
                        (errors.first?["message"] as? String)?.hasSuffix("can be sent from \(Self.firstDay)") == true)
                    #expect((problem["detail"] as? String)?.contains("nothing was stored") == true)
                }
            }
            // The web form.
            let cookie = try await WebPagesTests.signIn(client, "hr@sefton.example")
            let csrf = try await WebPagesTests.csrf(client, cookie, "/employers/\(employer)")
            try await client.execute(
                uri: "/employers/\(employer)/returns/upload", method: .post,
                headers: [.cookie: cookie, .contentType: multipartType],
                body: Self.multipart([("csrf_token", csrf), ("period", Self.period.description)])
            ) { response in
                #expect(response.status == .unprocessableContent)
                let page = String(buffer: response.body)
                #expect(page.contains("rejected with 1 error"))
                #expect(page.contains("<td>period</td>"))
                #expect(page.contains("can be sent from \(Self.firstDay)"))
            }
            // charterctl, while the application (which owns the pool) still runs.
            try await Self.charterctlRefuses(employer, conninfo: database.conninfo)
            let stored = try await pool.withConnection {
                try await $0.query("SELECT count(*)::int AS n FROM returns")[0].decode(Int.self, column: "n")
            }
            #expect(stored == 0)
        }
    }

    /// `charterctl return submit` of the current quarter exits 1 with the refusal on stderr.
    static func charterctlRefuses(_ employer: Int64, conninfo: String) async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "unended-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let headerFile = directory.appending(path: "header.json")
        let linesFile = directory.appending(path: "lines.csv")
        try Data(Self.header.utf8).write(to: headerFile)
        try Data((Self.columns + "\n" + Self.line + "\n").utf8).write(to: linesFile)
        let submitted = try await CharterCtlTests().charterctl(
            [
                "return", "submit", "--employer", "\(employer)", "--period", Self.period.description, "--header",
                headerFile.path, "--lines", linesFile.path,
            ], environment: ["CHARTERD_DATABASE_URL": conninfo])
        #expect(submitted.status == 1)
        #expect(submitted.stderr.contains("can be sent from \(Self.firstDay)"), "\(submitted.stderr)")
    }
}

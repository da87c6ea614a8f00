import CharterAccess
import CharterApp
import CharterDomain
import CharterStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PGClient
import Testing

/// The attacker's probes against the JSON API and the upload: each gets a 4xx with a sentence saying
/// where the input is wrong, a small answer, and nothing stored.
@Suite("The JSON API refuses bad input with a sentence", .timeLimit(.minutes(10)))
struct APIBadInputTests {
    /// The largest answer any refusal here may be: a few sentences, never the input.
    static let boundedAnswer = 16 * 1024

    struct Answer {
        var status: HTTPResponse.Status
        var problem: [String: Any]
        var size: Int

        var detail: String { problem["detail"] as? String ?? "" }
        var items: [[String: Any]] { problem["errors"] as? [[String: Any]] ?? [] }
    }

    static func send(
        _ client: some TestClientProtocol, _ uri: String, _ token: String, _ body: ByteBuffer,
        headers extra: HTTPFields = [:]
    ) async throws -> Answer {
        var headers = APITests.headers(token)
        for field in extra { headers[field.name] = field.value }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: body) { response in
            let problem =
                (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any]
            return Answer(status: response.status, problem: problem ?? [:], size: response.body.readableBytes)
        }
    }

    static func returnVersions(_ setup: APITests.Setup) async throws -> Int {
        try await setup.pool.withConnection { connection in
            try await connection.query("SELECT count(*) AS n FROM return_versions")[0].decode(Int.self, column: "n")
        }
    }

    @Test func malformedJSONIsA400WithLineAndColumnOnEveryRouteThatReadsJSON() async throws {
        let setup = try await APITests.setUp("bad-json")
        let e = setup.employer
        let routes = [
            "/v1/employers", "/v1/employers/\(e)/pledges", "/v1/employers/\(e)/contacts",
            "/v1/employers/\(e)/returns/2026-Q3", "/v1/exemptions", "/v1/runs/nightly-compliance", "/v1/tokens",
            "/v1/reps", "/v1/reps/1/coverage",
        ]
        try await APITests.application(setup).test(.router) { client in
            for route in routes {
                let method: HTTPRequest.Method = route.hasSuffix("/coverage") ? .put : .post
                let answer = try await client.execute(
                    uri: route, method: method, headers: APITests.headers(setup.admin),
                    body: ByteBuffer(string: "{\n  \"name\": \"x\",\n  \"a\": tru\n}")
                ) { response in
                    (
                        response.status,
                        (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)))
                            as? [String: Any] ?? [:]
                    )
                }
                #expect(answer.0 == .badRequest, "\(route)")
                let detail = answer.1["detail"] as? String ?? ""
                #expect(detail.hasPrefix("the body is not valid JSON: line 3, column"), "\(route): \(detail)")
            }
            #expect(try await Self.returnVersions(setup) == 0)
        }
        await setup.pool.close()
    }

    @Test func numbersOutOfRangeSayWhichFieldAndStoreNothing() async throws {
        let setup = try await APITests.setUp("bad-numbers")
        let uri = "/v1/employers/\(setup.employer)/returns/2026-Q3"
        let line = """
            {"worker_ref": "W1", "employment_type": "direct", "contract_type": "permanent", "age_band": "21_plus",
             "workplace_london": false, "hourly_rate": 13.5, "contracted_hours": 37.5, "start_date": "2021-03-01",
             "shifts_scheduled": SCHEDULED, "shifts_short_notice": 2, "shifts_cancelled_short_notice": 1,
             "shifts_cancelled_paid": 1}
            """
        @Sendable func document(headcount: String = "1", scheduled: String = "60", start: String = "2021-03-01")
            -> ByteBuffer
        {
            let lines = line.replacingOccurrences(of: "SCHEDULED", with: scheduled)
                .replacingOccurrences(of: "2021-03-01", with: start)
            return ByteBuffer(
                string: #"{"period": "2026-Q3", "headcount": \#(headcount), "attestations": {}, "lines": [\#(lines)]}"#)
        }
        try await APITests.application(setup).test(.router) { client in
            // Too large for any number type: a 400 at its place, naming the field.
            let huge = try await Self.send(client, uri, setup.employerToken, document(headcount: "1e400"))
            #expect(huge.status == .badRequest)
            #expect(huge.detail.contains("line 1, column 36, field headcount"), "\(huge.detail)")
            #expect(huge.detail.contains("out of range"))
            #expect(huge.items.first?["field"] as? String == "headcount")
            // Readable, but past what the field takes: a 422 naming the field or the line and column.
            let headcount = try await Self.send(client, uri, setup.employerToken, document(headcount: "3000000000"))
            #expect(headcount.status == .unprocessableContent)
            #expect(headcount.detail.contains("headcount 3000000000 is out of range"), "\(headcount.detail)")
            for value in ["2147483648", "3000000000", "10001"] {
                let shifts = try await Self.send(client, uri, setup.employerToken, document(scheduled: value))
                #expect(shifts.status == .unprocessableContent)
                let item = shifts.items.first
                #expect(item?["line"] as? Int == 1 && item?["column"] as? String == "shifts_scheduled")
                #expect((item?["message"] as? String)?.contains("\(value) is out of range") == true, "\(shifts.items)")
            }
            for date in ["0000-03-01", "1899-12-31", "9999-01-01"] {
                let answer = try await Self.send(client, uri, setup.employerToken, document(start: date))
                #expect(answer.status == .unprocessableContent, "\(date)")
                #expect(answer.items.first?["column"] as? String == "start_date", "\(date)")
            }
            #expect(try await Self.returnVersions(setup) == 0)
        }
        await setup.pool.close()
    }

    @Test func aBodyOverTheLimitIsA413ThatSaysTheLimit() async throws {
        let setup = try await APITests.setUp("bad-size")
        let body = ByteBuffer(string: "{\"name\": \"" + String(repeating: "a", count: 4 * 1024 * 1024) + "\"}")
        try await APITests.application(setup).test(.router) { client in
            for uri in ["/v1/employers", "/v1/employers/\(setup.employer)/returns/2026-Q3"] {
                let answer = try await Self.send(client, uri, setup.admin, body)
                #expect(answer.status == .contentTooLarge)
                #expect(answer.detail == "the request body is over 4 MiB, the most this API accepts")
                #expect(answer.size < Self.boundedAnswer)
            }
        }
        await setup.pool.close()
    }

    @Test func everyTextFieldHasALimitSaidWithTheFieldAndNothingIsStored() async throws {
        let setup = try await APITests.setUp("bad-text")
        let long = String(repeating: "N", count: 100_000)
        let e = setup.employer
        let cases: [(uri: String, body: String, field: String, limit: String)] = [
            ("/v1/employers", #"{"name": "\#(long)"}"#, "name", "200"),
            ("/v1/employers", #"{"name": "Ok Ltd", "address": "\#(long)"}"#, "address", "500"),
            ("/v1/employers", #"{"name": "Ok Ltd", "postcode": "\#(long)"}"#, "postcode", "16"),
            ("/v1/employers/\(e)/contacts", #"{"name": "\#(long)", "email": "a@b.example"}"#, "name", "200"),
            (
                "/v1/employers/\(e)/contacts",
                #"{"name": "Ann", "email": "\#(String(repeating: "a", count: 250))@b.example"}"#, "email", "254"
            ),
            (
                "/v1/employers/\(e)/contacts", #"{"name": "Ann", "email": "a@b.example", "role": "\#(long)"}"#, "role",
                "100"
            ),
            ("/v1/reps", #"{"name": "Ann", "email": "ann@u.example", "union_name": "\#(long)"}"#, "union_name", "200"),
            ("/v1/tokens", #"{"role": "viewer", "label": "\#(long)"}"#, "label", "100"),
            (
                "/v1/exemptions",
                #"{"employer_id": \#(e), "standard_id": "pay.real-living-wage", "reason": "\#(long)", "expires_on": "2027-01-01"}"#,
                "reason", "2,000"
            ),
        ]
        try await APITests.application(setup).test(.router) { client in
            for (uri, body, field, limit) in cases {
                let answer = try await Self.send(client, uri, setup.admin, ByteBuffer(string: body))
                #expect(answer.status == .unprocessableContent, "\(uri) \(field)")
                #expect(answer.items.first?["field"] as? String == field, "\(answer.detail)")
                #expect(answer.detail.contains("\(field) is "), "\(answer.detail)")
                #expect(answer.detail.contains("at most \(limit) characters"), "\(answer.detail)")
                #expect(answer.size < Self.boundedAnswer)
            }
            // A control character in a name is refused too, and shown escaped.
            let escape = try await Self.send(
                client, "/v1/employers/\(e)/contacts", setup.admin,
                ByteBuffer(string: #"{"name": "Ann\u001b]2;pwned\u0007", "email": "ann@b.example"}"#))
            #expect(escape.status == .unprocessableContent)
            #expect(escape.detail.contains("a control character (\\u{1B}) at character 4"), "\(escape.detail)")
            let stored = try await setup.pool.withConnection { connection in
                (
                    try await connection.query("SELECT count(*) AS n FROM employers")[0].decode(Int.self, column: "n"),
                    try await connection.query("SELECT count(*) AS n FROM contacts")[0].decode(Int.self, column: "n"),
                    try await connection.query("SELECT count(*) AS n FROM exemptions")[0].decode(Int.self, column: "n"),
                    try await connection.query("SELECT count(*) AS n FROM reps")[0].decode(Int.self, column: "n")
                )
            }
            #expect(stored.0 == 1 && stored.1 == 0 && stored.2 == 0 && stored.3 == 1)
        }
        await setup.pool.close()
    }

    @Test func aHugeCSVHeaderCellIsRefusedWithABoundedAnswer() async throws {
        let setup = try await APITests.setUp("bad-csv")
        let uri = "/v1/employers/\(setup.employer)/returns/2026-Q3/upload"
        let headers: HTTPFields = [
            .authorization: "Bearer \(setup.employerToken)", .contentType: "multipart/form-data; boundary=b0undary",
        ]
        let good = "W1,direct,permanent,21_plus,no,13.50,37.5,37.5,2021-03-01,60,2,1,1"
        // 8 MiB of column name: twice the whole JSON limit, 2,000 times the CSV's limit on one value.
        let name = String(repeating: "C", count: 8 * 1024 * 1024)
        let text = String(buffer: APITests.upload([good])).replacingOccurrences(
            of: "shifts_cancelled_paid\r\n", with: "shifts_cancelled_paid,\(name)\r\n")
        let body = ByteBuffer(string: text)
        try await APITests.application(setup).test(.router) { client in
            try await client.execute(uri: uri, method: .post, headers: headers, body: body) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.body.readableBytes < Self.boundedAnswer, "\(response.body.readableBytes) bytes")
                let problem = try APITests.object(response)
                let items = try #require(problem["errors"] as? [[String: Any]])
                #expect(items.contains { ($0["message"] as? String)?.contains("longer than 4,096 bytes") == true })
                #expect(items.allSatisfy { $0["line"] as? Int == 1 || $0["line"] == nil })
            }
            // Out-of-range values in the CSV: line and column, never a 500.
            for (line, column) in [
                ("W1,direct,permanent,21_plus,no,13.50,37.5,37.5,2021-03-01,2147483648,2,1,1", "shifts_scheduled"),
                ("W1,direct,permanent,21_plus,no,13.50,37.5,37.5,0000-03-01,60,2,1,1", "start_date"),
            ] {
                try await client.execute(uri: uri, method: .post, headers: headers, body: APITests.upload([line])) {
                    response in
                    #expect(response.status == .unprocessableContent)
                    let items = try #require(try APITests.object(response)["errors"] as? [[String: Any]])
                    #expect(items.first?["line"] as? Int == 2 && items.first?["column"] as? String == column)
                }
            }
            // A header part that is not JSON: a 400 saying where.
            let broken = ByteBuffer(
                string: String(buffer: APITests.upload([good])).replacingOccurrences(
                    of: #""headcount": 1"#, with: #""headcount": 1e999"#))
            try await client.execute(uri: uri, method: .post, headers: headers, body: broken) { response in
                #expect(response.status == .badRequest)
                let detail = try APITests.object(response)["detail"] as? String
                #expect(detail?.hasPrefix("the header part is not valid JSON: line 1") == true, "\(detail ?? "")")
            }
            #expect(try await Self.returnVersions(setup) == 0)
        }
        await setup.pool.close()
    }
}

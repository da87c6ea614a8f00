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

/// The API as a payroll system and a rep meet it: clear problems for bad input, nothing stored for
/// a rejected return, and a flag reviewed from open to resolved with its history.
@Suite("The JSON API", .timeLimit(.minutes(10)))
struct APITests {
    struct Setup {
        var pool: PGPool
        var employer: Int64
        var admin: String
        var employerToken: String
        var repToken: String
    }

    static func setUp(_ name: String) async throws -> Setup {
        let pool = try await MigratedDatabase(name).pool
        let employer = try #require(
            try await EmployerStore(pool: pool).add(Employer(name: "Sefton Care CIC"), actor: "test").id)
        _ = try await PledgeStore(pool: pool).add(
            employerID: employer, tier: .aspiring, livingHours: false, overrides: PledgeOverrides(),
            validFrom: CalendarDate(year: 2026, month: 1, day: 1)!, validTo: nil, actor: "test")
        let rep = try await RepStore(pool: pool).add(
            name: "Jo Rep", email: "jo@union.example", unionName: nil, covers: [employer], actor: "test")
        let tokens = TokenStore(pool: pool)
        func token(_ role: Role, employer: Int64? = nil, rep: Int64? = nil) async throws -> String {
            let issued = try await tokens.create(
                role: role, employerID: employer, repID: rep, label: nil, expiresAt: nil, createdBy: "test")
            return issued.token.text
        }
        let admin = try await token(.admin)
        let employerToken = try await token(.employer, employer: employer)
        let repToken = try await token(.rep, rep: rep.id)
        return Setup(pool: pool, employer: employer, admin: admin, employerToken: employerToken, repToken: repToken)
    }

    static func application(_ setup: Setup) -> some ApplicationProtocol {
        CharterServer.application(
            configuration: CharterConfiguration(), pool: setup.pool, logger: Logger(label: "test"))
    }

    static func headers(_ token: String, json: Bool = true) -> HTTPFields {
        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
        if json { headers[.contentType] = "application/json" }
        return headers
    }

    static func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    @Test func badRequestsGetProblemsThatSayWhatIsWrong() async throws {
        let setup = try await Self.setUp("api-bad")
        try await Self.application(setup).test(.router) { client in
            try await client.execute(
                uri: "/v1/employers", method: .post, headers: Self.headers(setup.admin),
                body: ByteBuffer(string: "{\"name\": ")
            ) { response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.contentType] == "application/problem+json")
                let answer = try Self.object(response)
                #expect(
                    answer["detail"] as? String
                        == "the body is not valid JSON: line 1, column 10: the document ends before it is complete"
                        + " (a missing }, ] or closing quote?)")
            }
            try await client.execute(
                uri: "/v1/employers", method: .post, headers: Self.headers(setup.admin),
                body: ByteBuffer(string: #"{"name": "Knowsley Bakes", "compnay_number": "01234567"}"#)
            ) { response in
                #expect(response.status == .badRequest)
                let problem = try Self.object(response)
                #expect(problem["detail"] as? String == "unknown field compnay_number")
                let errors = try #require(problem["errors"] as? [[String: Any]])
                #expect(errors.first?["field"] as? String == "compnay_number")
            }
            try await client.execute(
                uri: "/v1/employers", method: .post,
                headers: [.authorization: "Bearer \(setup.admin)", .contentType: "text/plain"],
                body: ByteBuffer(string: "name=x")
            ) { response in
                #expect(response.status == .unsupportedMediaType)
                let answer = try Self.object(response)
                #expect((answer["detail"] as? String)?.contains("application/json") == true)
            }
            // Found by the schema fuzzer: a NUL in a name (PostgreSQL cannot store it) and a version
            // number past the integer range were server errors.
            try await client.execute(
                uri: "/v1/employers", method: .post, headers: Self.headers(setup.admin),
                body: ByteBuffer(string: #"{"name": "Bad\u0000Name"}"#)
            ) { response in
                #expect(response.status == .badRequest)
                let answer = try Self.object(response)
                #expect((answer["detail"] as? String)?.contains("field name contains a NUL character") == true)
            }
            try await client.execute(
                uri: "/v1/employers/\(setup.employer)/returns/2026-Q3/versions/22568129508356928", method: .get,
                headers: Self.headers(setup.admin, json: false)
            ) { #expect($0.status == .notFound) }
            // Found by the fuzzer: a run as of the year 363 stopped the server.
            try await client.execute(
                uri: "/v1/runs/nightly-compliance", method: .post, headers: Self.headers(setup.admin),
                body: ByteBuffer(string: #"{"dry_run": true, "as_of": "0363-12-29"}"#)
            ) { response in
                #expect(response.status == .unprocessableContent)
                let answer = try Self.object(response)
                #expect(
                    answer["detail"] as? String
                        == "as_of 0363-12-29 is outside the dates this service accepts (1900-01-01 to 2100-12-31);"
                        + " check the year")
            }
            try await client.execute(
                uri: "/v1/runs?job=nightly%00x", method: .get, headers: Self.headers(setup.admin, json: false)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            let huge = "{\"name\": \"" + String(repeating: "x", count: 5 * 1024 * 1024) + "\"}"
            try await client.execute(
                uri: "/v1/employers", method: .post, headers: Self.headers(setup.admin), body: ByteBuffer(string: huge)
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            try await client.execute(
                uri: "/v1/employers", method: .get, headers: [.authorization: "Bearer cw_nothing_real"]
            ) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate]?.contains("invalid_token") == true)
            }
        }
        await setup.pool.close()
    }

    @Test func aReturnWithErrorsIsRefusedWithEveryLineAndNothingIsStored() async throws {
        let setup = try await Self.setUp("api-return")
        let bad = """
            {"period": "2026-Q3", "headcount": 2, "attestations": {"sick_pay_waiting_days": 0},
             "lines": [{"worker_ref": "W1", "employment_type": "direct", "contract_type": "permanent",
                        "age_band": "21_plus", "workplace_london": "no", "hourly_rate": "thirteen",
                        "contracted_hours": "37.5", "start_date": "2021-03-01", "shifts_scheduled": "60",
                        "shifts_short_notice": "2", "shifts_cancelled_short_notice": "1", "shifts_cancelled_paid": "1"},
                       {"worker_ref": "W2", "employment_type": "direct", "contract_type": "permanent",
                        "age_band": "21_plus", "workplace_london": "no", "hourly_rate": "13.50",
                        "contracted_hours": "37.5", "start_date": "2021-13-01", "shifts_scheduled": "60",
                        "shifts_short_notice": "2", "shifts_cancelled_short_notice": "1", "shifts_cancelled_paid": "1"}]}
            """
        let uri = "/v1/employers/\(setup.employer)/returns/2026-Q3"
        try await Self.application(setup).test(.router) { client in
            try await client.execute(
                uri: uri, method: .post, headers: Self.headers(setup.employerToken), body: ByteBuffer(string: bad)
            ) { response in
                #expect(response.status == .unprocessableContent)
                let problem = try Self.object(response)
                #expect(
                    (problem["detail"] as? String)?.contains("rejected with 2 errors and nothing was stored") == true)
                let errors = try #require(problem["errors"] as? [[String: Any]])
                #expect(errors.compactMap { $0["column"] as? String }.sorted() == ["hourly_rate", "start_date"])
                #expect(errors.allSatisfy { $0["line"] is Int })
            }
            try await client.execute(uri: uri, method: .get, headers: Self.headers(setup.employerToken, json: false)) {
                response in
                #expect(response.status == .notFound)
            }
            let good = bad.replacingOccurrences(of: "\"thirteen\"", with: "\"13.50\"")
                .replacingOccurrences(of: "2021-13-01", with: "2021-12-01")
            var headers = Self.headers(setup.employerToken)
            headers[HTTPField.Name("Idempotency-Key")!] = "payroll-run-4711"
            for expected in [HTTPResponse.Status.created, .ok] {
                try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: good)) {
                    response in
                    #expect(response.status == expected)
                    let answer = try Self.object(response)
                    #expect(answer["status"] as? String == "created")
                }
            }
            try await client.execute(uri: uri, method: .get, headers: Self.headers(setup.repToken, json: false)) {
                response in
                #expect(response.status == .ok)
                let answer = try Self.object(response)
                #expect((answer["versions"] as? [Any])?.count == 1)
            }
        }
        await setup.pool.close()
    }

    @Test func aRepReviewsAFlagAndTheEmployerAnswersIt() async throws {
        let setup = try await Self.setUp("api-flags")
        // The employer sent nothing for Q1 and Q2: the run raises missing returns.
        _ = try await NightlyCompliance(pool: setup.pool).run(asOf: CalendarDate(year: 2026, month: 11, day: 27)!)
        try await Self.application(setup).test(.router) { client in
            let counts = try await client.execute(
                uri: "/v1/flags/counts?state=open", method: .get, headers: Self.headers(setup.repToken, json: false)
            ) { try Self.object($0) }
            let open = try #require(counts["total"] as? Int)
            #expect(open >= 2)
            let page = try await client.execute(
                uri: "/v1/flags?state=open&limit=1", method: .get, headers: Self.headers(setup.repToken, json: false)
            ) { try Self.object($0) }
            let first = try #require((page["flags"] as? [[String: Any]])?.first)
            let flag = try #require(first["id"] as? Int)
            let cursor = try #require(page["next_cursor"] as? String)
            let next = try await client.execute(
                uri: "/v1/flags?state=open&limit=1&cursor=\(cursor)", method: .get,
                headers: Self.headers(setup.repToken, json: false)
            ) { try Self.object($0) }
            #expect((next["flags"] as? [[String: Any]])?.first?["id"] as? Int != flag)

            func act(_ action: String, _ token: String, _ body: String?) async throws -> (Int, [String: Any]) {
                try await client.execute(
                    uri: "/v1/flags/\(flag)/\(action)", method: .post, headers: Self.headers(token, json: body != nil),
                    body: body.map { ByteBuffer(string: $0) }
                ) { (Int($0.status.code), try Self.object($0)) }
            }
            #expect(try await act("acknowledge", setup.repToken, nil).0 == 200)
            // The employer may not resolve; a rep may not resolve without a note.
            #expect(try await act("resolve", setup.employerToken, #"{"note": "done"}"#).0 == 403)
            let noNote = try await act("resolve", setup.repToken, "{}")
            #expect(noNote.0 == 409)
            #expect((noNote.1["detail"] as? String)?.contains("note") == true)
            let answered = try await act(
                "respond", setup.employerToken,
                #"{"explanation": "Our payroll provider failed to file", "action_plan": "File by Friday", "target_date": "2026-12-04"}"#
            )
            #expect(answered.0 == 200)
            let resolved = try await act("resolve", setup.repToken, #"{"note": "Return received late but complete"}"#)
            #expect(resolved.0 == 200)
            #expect(resolved.1["state"] as? String == "resolved")
            let kinds = (resolved.1["events"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }
            #expect(kinds == ["opened", "transition", "response", "transition"])
            // Each change is in the audit log (the pool runs as the application's service until here).
            let audited = try await setup.pool.withConnection { connection in
                try await connection.query("SELECT action FROM audit_log WHERE action LIKE 'flag.%' ORDER BY id").map {
                    try $0.decode(String.self, column: "action")
                }
            }
            #expect(audited == ["flag.acknowledge", "flag.respond", "flag.resolve"])
        }
    }

    /// The charter team records a pledge and the employer keeps its contacts current, each change
    /// audited; a loosening override, an overlapping range and an address no email could reach are
    /// refused, naming the field, and store nothing.
    @Test func pledgesAndContactsAreAddedThroughTheAPI() async throws {
        let setup = try await Self.setUp("api-pledges-contacts")
        let employer = setup.employer
        try await Self.application(setup).test(.router) { client in
            func post(_ path: String, _ token: String, _ body: String) async throws -> (Int, [String: Any]) {
                try await client.execute(
                    uri: path, method: .post, headers: Self.headers(token), body: ByteBuffer(string: body)
                ) { ($0.status.code, try Self.object($0)) }
            }
            func get(_ path: String, _ token: String) async throws -> (Int, [String: Any]) {
                try await client.execute(uri: path, method: .get, headers: Self.headers(token, json: false)) {
                    ($0.status.code, try Self.object($0))
                }
            }
            // A pledge for 2025, before the one from 2026, with a tighter zero-hours threshold.
            let (status, pledge) = try await post(
                "/v1/employers/\(employer)/pledges", setup.admin,
                #"{"tier": "accredited", "living_hours": true, "valid_from": "2025-01-01", "valid_to": "2026-01-01", "overrides": {"hours.zero-hours-share": {"threshold_percent": 3}}}"#
            )
            #expect(status == 201)
            #expect(pledge["tier"] as? String == "accredited")
            #expect(pledge["living_hours"] as? Bool == true)
            #expect(pledge["valid_from"] as? String == "2025-01-01")
            #expect((pledge["overrides"] as? String)?.contains("threshold_percent") == true)
            let loosening = try await post(
                "/v1/employers/\(employer)/pledges", setup.admin,
                #"{"tier": "aspiring", "valid_from": "2024-01-01", "valid_to": "2024-06-01", "overrides": {"hours.zero-hours-share": {"threshold_percent": 90}}}"#
            )
            #expect(loosening.0 == 422)
            #expect((loosening.1["detail"] as? String)?.contains("hours.zero-hours-share") == true)
            let overlapping = try await post(
                "/v1/employers/\(employer)/pledges", setup.admin, #"{"tier": "aspiring", "valid_from": "2025-06-01"}"#)
            #expect(overlapping.0 == 409)
            let badDate = try await post(
                "/v1/employers/\(employer)/pledges", setup.admin, #"{"tier": "aspiring", "valid_from": "1 May 2024"}"#)
            #expect(badDate.0 == 422)
            #expect((badDate.1["errors"] as? [[String: Any]])?.first?["field"] as? String == "valid_from")
            let notAnObject = try await post(
                "/v1/employers/\(employer)/pledges", setup.admin,
                #"{"tier": "aspiring", "valid_from": "2024-01-01", "overrides": 3}"#)
            #expect(notAnObject.0 == 422)
            #expect((notAnObject.1["errors"] as? [[String: Any]])?.first?["field"] as? String == "overrides")
            let pledges = try await get("/v1/employers/\(employer)/pledges", setup.repToken).1["pledges"]
            #expect((pledges as? [[String: Any]])?.count == 2)

            // The employer adds its payroll manager; a rep may not see contacts.
            let (added, contact) = try await post(
                "/v1/employers/\(employer)/contacts", setup.employerToken,
                #"{"name": "Siân Ó Briain", "email": "sian@sefton-care.example", "role": "Payroll manager"}"#)
            #expect(added == 201)
            #expect(contact["email"] as? String == "sian@sefton-care.example")
            let badAddress = try await post(
                "/v1/employers/\(employer)/contacts", setup.employerToken,
                #"{"name": "Pat", "email": "pat@@sefton-care"}"#)
            #expect(badAddress.0 == 422)
            #expect((badAddress.1["errors"] as? [[String: Any]])?.first?["field"] as? String == "email")
            let contacts = try await get("/v1/employers/\(employer)/contacts", setup.employerToken).1["contacts"]
            #expect((contacts as? [[String: Any]])?.map { $0["name"] as? String } == ["Siân Ó Briain"])
            let repAsking = try await get("/v1/employers/\(employer)/contacts", setup.repToken).0
            #expect(repAsking == 403 || repAsking == 404)
            let audited = try await setup.pool.withConnection { connection in
                try await connection.query(
                    "SELECT action FROM audit_log WHERE action IN ('pledge.add', 'contact.add') ORDER BY id"
                ).map { try $0.decode(String.self, column: "action") }
            }
            // The set-up's pledge, the API's pledge and contact; nothing for the refused requests.
            #expect(audited == ["pledge.add", "pledge.add", "contact.add"])
        }
        await setup.pool.close()
    }

    /// A script's search reads as a browser's: its HTTP library sends "Sefton Care" as `search=Sefton+Care`
    /// (Python's `requests` does), and a plus it means is `%2B`.
    @Test func anEmployerSearchTakesAPlusAsASpace() async throws {
        let setup = try await Self.setUp("api-search")
        try await Self.application(setup).test(.router) { client in
            for (query, found) in [("sefton+care", 1), ("sefton%20care", 1), ("sefton%2Bcare", 0), ("", 1)] {
                try await client.execute(
                    uri: "/v1/employers?search=\(query)", method: .get, headers: Self.headers(setup.admin, json: false)
                ) { response in
                    #expect(response.status == .ok)
                    let employers = try Self.object(response)["employers"] as? [[String: Any]]
                    #expect(employers?.count == found, "\(query)")
                }
            }
        }
        await setup.pool.close()
    }

    @Test func aRevokedTokenIsRefusedAtOnce() async throws {
        let setup = try await Self.setUp("api-revoke")
        try await Self.application(setup).test(.router) { client in
            let created = try await client.execute(
                uri: "/v1/tokens", method: .post, headers: Self.headers(setup.admin),
                body: ByteBuffer(string: #"{"role": "viewer", "label": "reporting"}"#)
            ) { response in
                #expect(response.status == .created)
                #expect(response.headers[.cacheControl] == "no-store")
                return try Self.object(response)
            }
            let token = try #require(created["token"] as? String)
            let id = try #require((created["record"] as? [String: Any])?["id"] as? Int)
            try await client.execute(uri: "/v1/flags", method: .get, headers: Self.headers(token, json: false)) {
                #expect($0.status == .ok)
            }
            try await client.execute(
                uri: "/v1/tokens/\(id)/revoke", method: .post, headers: Self.headers(setup.admin, json: false)
            ) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/v1/flags", method: .get, headers: Self.headers(token, json: false)) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(
                uri: "/v1/audit/verify", method: .get, headers: Self.headers(setup.admin, json: false)
            ) {
                response in
                #expect(response.status == .ok)
                let answer = try Self.object(response)
                #expect(answer["first_break"] == nil || answer["first_break"] is NSNull)
                #expect((answer["rows_checked"] as? Int ?? 0) > 0)
            }
        }
        await setup.pool.close()
    }

    @Test func auditVerifyNamesTheFirstRowAlteredBehindTheApplicationsBack() async throws {
        let setup = try await Self.setUp("api-audit-tamper")
        // Someone with the database's owner role edits a row, with the append-only trigger off.
        let target = try await setup.pool.withConnection { connection -> Int64 in
            let target = try await connection.query("SELECT max(id) AS id FROM audit_log")[0].decode(
                Int64.self, column: "id")
            try await connection.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
            try await connection.execute(
                "UPDATE audit_log SET details = jsonb_set(details, '{label}', '\"quietly changed\"') WHERE id = \(target)"
            )
            try await connection.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
            return target
        }
        let answer = try await Self.application(setup).test(.router) { client in
            try await client.execute(
                uri: "/v1/audit/verify", method: .get, headers: Self.headers(setup.admin, json: false)
            ) { response in
                #expect(response.status == .ok)
                return try Self.object(response)
            }
        }
        #expect(answer["intact"] as? Bool == false)
        let firstBreak = try #require(answer["first_break"] as? [String: Any])
        #expect(firstBreak["row_id"] as? Int == Int(target))
        #expect(firstBreak["problem"] as? String == "content_altered")
        await setup.pool.close()
    }

    /// A multipart upload of a header and CSV lines, with `extra` parts after them.
    static func upload(_ lines: [String], extra: String = "", closed: Bool = true) -> ByteBuffer {
        let columns =
            "worker_ref,employment_type,contract_type,age_band,workplace_london,hourly_rate,contracted_hours,"
            + "avg_actual_hours_12w,start_date,shifts_scheduled,shifts_short_notice,shifts_cancelled_short_notice,"
            + "shifts_cancelled_paid"
        let parts = [
            "--b0undary", "Content-Disposition: form-data; name=\"header\"", "",
            #"{"period": "2026-Q3", "headcount": \#(lines.count), "attestations": {"sick_pay_waiting_days": 0}}"#,
            "--b0undary", "Content-Disposition: form-data; name=\"lines\"; filename=\"payroll.csv\"",
            "Content-Type: text/csv", "", ([columns] + lines).joined(separator: "\r\n"),
        ]
        return ByteBuffer(
            string: parts.joined(separator: "\r\n") + extra + (closed ? "\r\n--b0undary--\r\n" : "\r\n"))
    }

    @Test func anUploadedCSVWithAnErrorIsRefusedByLineAndAFixedOneIsStored() async throws {
        let setup = try await Self.setUp("api-upload")
        let uri = "/v1/employers/\(setup.employer)/returns/2026-Q3/upload"
        let headers: HTTPFields = [
            .authorization: "Bearer \(setup.employerToken)", .contentType: "multipart/form-data; boundary=b0undary",
        ]
        let asCSV: HTTPFields = [.authorization: "Bearer \(setup.employerToken)", .contentType: "text/csv"]
        let good = "W1,direct,permanent,21_plus,no,13.50,37.5,37.5,2021-03-01,60,2,1,1"
        let bad = "W2,direct,permanent,21_plus,maybe,13.50,37.5,37.5,2021-03-01,60,2,1,1"
        try await Self.application(setup).test(.router) { client in
            try await client.execute(uri: uri, method: .post, headers: headers, body: Self.upload([good, bad])) {
                response in
                #expect(response.status == .unprocessableContent)
                let answer = try Self.object(response)
                let errors = try #require(answer["errors"] as? [[String: Any]])
                #expect(errors.count == 1)
                #expect(errors.first?["line"] as? Int == 3)
                #expect(errors.first?["column"] as? String == "workplace_london")
            }
            // Another part after the lines, or a body cut short: refused, nothing stored.
            let extra = "\r\n--b0undary\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello"
            try await client.execute(uri: uri, method: .post, headers: headers, body: Self.upload([good], extra: extra))
            {
                response in
                #expect(response.status == .badRequest)
                let answer = try Self.object(response)
                #expect((answer["detail"] as? String)?.contains("must be the last part") == true)
            }
            try await client.execute(
                uri: uri, method: .post, headers: headers, body: Self.upload([good], closed: false)
            ) {
                response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(
                uri: "/v1/employers/\(setup.employer)/returns/2026-Q3", method: .get,
                headers: Self.headers(setup.employerToken, json: false)
            ) { #expect($0.status == .notFound) }
            try await client.execute(uri: uri, method: .post, headers: asCSV, body: Self.upload([good])) {
                #expect($0.status == .unsupportedMediaType)
            }
            try await client.execute(uri: uri, method: .post, headers: headers, body: Self.upload([good])) { response in
                #expect(response.status == .created)
                let answer = try Self.object(response)
                #expect((answer["version"] as? [String: Any])?["line_count"] as? Int == 1)
            }
        }
        await setup.pool.close()
    }
}

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

/// Every role × every route × own / other employer (a rep: covered / uncovered): a request the
/// access policy refuses must be answered 403 or 404 and change nothing; one it allows must get
/// past authorisation; a list must hold only what the caller may see. Any leak fails.
@Suite("Authorisation on every route", .timeLimit(.minutes(10)))
struct AuthorizationMatrixTests {
    /// A return for 2026-Q3 with one worker line, as JSON.
    static let returnJSON = """
        {"period": "2026-Q3", "headcount": 1,
         "attestations": {"hs_policy_reviewed_on": "2026-02-01", "sick_pay_waiting_days": 0},
         "lines": [{"worker_ref": "W1", "employment_type": "direct", "contract_type": "permanent",
                    "age_band": "21_plus", "workplace_london": "no", "hourly_rate": "13.50",
                    "contracted_hours": "37.5", "avg_actual_hours_12w": "37.5", "start_date": "2021-03-01",
                    "shifts_scheduled": "60", "shifts_short_notice": "2", "shifts_cancelled_short_notice": "1",
                    "shifts_cancelled_paid": "1"}]}
        """

    /// The same return as an upload: the header part, then the lines part.
    static let upload = [
        "--matrix", "Content-Disposition: form-data; name=\"header\"", "Content-Type: application/json", "",
        #"{"period": "2026-Q3", "headcount": 1, "attestations": {"hs_policy_reviewed_on": "2026-02-01", "sick_pay_waiting_days": 0}}"#,
        "--matrix", "Content-Disposition: form-data; name=\"lines\"; filename=\"lines.csv\"", "Content-Type: text/csv",
        "",
        "worker_ref,employment_type,contract_type,age_band,workplace_london,hourly_rate,contracted_hours,avg_actual_hours_12w,start_date,shifts_scheduled,shifts_short_notice,shifts_cancelled_short_notice,shifts_cancelled_paid",
        "W1,direct,permanent,21_plus,no,13.50,37.5,37.5,2021-03-01,60,2,1,1", "--matrix--", "",
    ].joined(separator: "\r\n")

    struct World {
        var employers: [Int64]  // [own / covered, other / uncovered]
        var flags: [Int64: Int64]  // employer → flag
        var exemptions: [Int64: Int64]  // employer → exemption
        var run: Int64
        var rep: Int64
        var spareToken: Int64
        var tokens: [(name: String, token: String, principal: Principal)]
    }

    static func world(pool: PGPool) async throws -> World {
        let employers = EmployerStore(pool: pool)
        let a = try #require(try await employers.add(Employer(name: "Alpha Care Ltd"), actor: "test").id)
        let b = try #require(try await employers.add(Employer(name: "Beta Foods Ltd"), actor: "test").id)
        var flags: [Int64: Int64] = [:]
        var exemptions: [Int64: Int64] = [:]
        for employer in [a, b] {
            _ = try await PledgeStore(pool: pool).add(
                employerID: employer, tier: .aspiring, livingHours: false, overrides: PledgeOverrides(),
                validFrom: CalendarDate(year: 2026, month: 1, day: 1)!, validTo: nil, actor: "test")
            let outcome = try await ReturnStore(pool: pool).submit(
                ReturnSubmission(employerID: employer, submittedBy: "test", header: Data(returnJSON.utf8)))
            guard case .accepted = outcome else { throw Problem(.internalServerError, "seed return rejected") }
            exemptions[employer] =
                try await ExemptionStore(pool: pool).add(
                    employerID: employer, standardID: "hours.shift-notice", periodFrom: nil, periodTo: nil,
                    reason: "seasonal rota trial", expiresOn: CalendarDate(year: 2027, month: 6, day: 30)!,
                    actor: "test"
                ).id
        }
        // Real flags, raised by the nightly run: both employers pledged from January and sent no return
        // for 2026-Q1 or Q2.
        let report = try await NightlyCompliance(pool: pool).run(
            asOf: CalendarDate(year: 2026, month: 11, day: 27)!, actor: "test")
        #expect(report.flagsOpened >= 2)
        for employer in [a, b] {
            flags[employer] = try await pool.withConnection { connection in
                try await connection.query(
                    "SELECT min(id) AS id FROM flags WHERE employer_id = \(employer)")[0].decode(
                        Int64.self, column: "id")
            }
        }
        let run = try await pool.withConnection { connection in
            try await connection.query(
                """
                INSERT INTO job_runs (job, scheduled_for, outcome, counts) VALUES
                ('nightly-compliance', now(), 'succeeded', '{"returns_evaluated": 2}') RETURNING id
                """)[0].decode(Int64.self, column: "id")
        }
        let rep = try await RepStore(pool: pool).add(
            name: "Sam Rep", email: "sam@union.example", unionName: "Unison", covers: [a], actor: "test")
        let tokens = TokenStore(pool: pool)
        var issued: [(String, String, Principal)] = []
        for (name, role, employer, repID) in [
            ("admin", Role.admin, Int64?.none, Int64?.none), ("viewer", .viewer, nil, nil),
            ("employer", .employer, a, nil), ("rep", .rep, nil, rep.id),
        ] {
            let token = try await tokens.create(
                role: role, employerID: employer, repID: repID, label: name, expiresAt: nil, createdBy: "test")
            let principal = try #require(try await tokens.authenticate(token.token.text))
            issued.append((name, token.token.text, principal))
        }
        let spare = try await tokens.create(
            role: .viewer, employerID: nil, repID: nil, label: "spare", expiresAt: nil, createdBy: "test")
        return World(
            employers: [a, b], flags: flags, exemptions: exemptions, run: run, rep: rep.id,
            spareToken: spare.record.id, tokens: issued)
    }

    /// A body that passes validation, so only authorisation can refuse it.
    static func body(for route: APIRoute, employer: Int64) -> String? {
        if route.path == "/v1/reps/{rep}/coverage" { return #"{"employer_ids": [\#(employer)]}"# }
        guard route.method == .post else { return nil }
        switch route.path {
        case "/v1/employers": return #"{"name": "Gamma Ltd"}"#
        case "/v1/employers/{employer}/contacts": return #"{"name": "Pat Payroll", "email": "pat@alpha.example"}"#
        // Before the seeded pledges (from 2026-01-01), so only authorisation can refuse it.
        case "/v1/employers/{employer}/pledges":
            return #"{"tier": "aspiring", "valid_from": "2025-01-01", "valid_to": "2025-07-01"}"#
        case "/v1/employers/{employer}/returns/{period}": return returnJSON
        case "/v1/exemptions":
            return
                #"{"employer_id": \#(employer), "standard_id": "pay.real-living-wage", "reason": "trial", "expires_on": "2027-12-31"}"#
        case "/v1/flags/{flag}/respond": return #"{"explanation": "Pay rise from April", "target_date": "2027-04-01"}"#
        case "/v1/runs/nightly-compliance": return #"{"dry_run": true}"#
        case "/v1/tokens": return #"{"role": "viewer", "label": "matrix"}"#
        case "/v1/reps": return #"{"name": "Kim Rep", "email": "kim@union.example", "covers": []}"#
        case "/v1/tokens/{token}/revoke": return nil
        default: return #"{"note": "seen at the branch meeting"}"#
        }
    }

    static func path(_ route: APIRoute, employer: Int64, world: World) -> String {
        route.path.replacingOccurrences(of: "{employer}", with: "\(employer)")
            .replacingOccurrences(of: "{period}", with: "2026-Q3")
            .replacingOccurrences(of: "{version}", with: "1")
            .replacingOccurrences(of: "{flag}", with: "\(world.flags[employer]!)")
            .replacingOccurrences(of: "{exemption}", with: "\(world.exemptions[employer]!)")
            .replacingOccurrences(of: "{run}", with: "\(world.run)")
            .replacingOccurrences(of: "{rep}", with: "\(world.rep)")
            .replacingOccurrences(of: "{token}", with: "\(world.spareToken)")
            + (route.path.hasSuffix("/diff") ? "?from=1&to=1" : "")
    }

    /// Every `employer_id` (and, in an employer list, every `id`) in a JSON answer.
    static func employerIDs(in json: Any, employerList: Bool) -> Set<Int64> {
        var found: Set<Int64> = []
        func walk(_ value: Any, key: String?) {
            if let object = value as? [String: Any] {
                for (key, value) in object { walk(value, key: key) }
            } else if let array = value as? [Any] {
                for item in array { walk(item, key: key) }
            } else if let number = value as? NSNumber,
                key == "employer_id" || (employerList && key == "id")
            {
                found.insert(number.int64Value)
            }
        }
        walk(json, key: nil)
        return found
    }

    @Test func noRoleReachesWhatThePolicyRefuses() async throws {
        let pool = try await MigratedDatabase("authmatrix").pool
        let world = try await Self.world(pool: pool)
        let routes = CharterAPI.routes(pool: pool)
        let application = CharterServer.application(
            configuration: CharterConfiguration(), pool: pool, logger: Logger(label: "test"))
        let checked = try await application.test(.router) { client in
            var checked = 0
            for route in routes {
                // Nobody signed in: 401, whatever the route.
                let anonymous = Self.path(route, employer: world.employers[0], world: world)
                try await client.execute(uri: anonymous, method: route.method) { response in
                    #expect(response.status == .unauthorized, "\(route.method) \(anonymous) without a token")
                }
                for (name, token, principal) in world.tokens {
                    let targets: [Int64] = route.access == .service ? [world.employers[0]] : world.employers
                    for employer in targets {
                        let uri = Self.path(route, employer: employer, world: world)
                        let expectedAllowed: Bool
                        switch route.access {
                        case .service:
                            expectedAllowed = AccessPolicy.decide(principal, route.action, employerID: nil).isAllowed
                        case .filteredList:
                            expectedAllowed = true
                        case .pathEmployer, .lookedUp:
                            expectedAllowed =
                                AccessPolicy.visibleEmployers(principal).contains(employer)
                                && AccessPolicy.decide(principal, route.action, employerID: employer).isAllowed
                        }
                        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
                        var body = Self.body(for: route, employer: employer)
                        if body != nil { headers[.contentType] = "application/json" }
                        if route.path.hasSuffix("/upload") {
                            body = Self.upload
                            headers[.contentType] = "multipart/form-data; boundary=matrix"
                        }
                        checked += try await client.execute(
                            uri: uri, method: route.method, headers: headers,
                            body: body.map { ByteBuffer(string: $0) }
                        ) { response in
                            let what =
                                "\(name) \(route.method) \(uri): \(response.status.code) \(String(buffer: response.body).prefix(200))"
                            if expectedAllowed {
                                #expect(![401, 403, 404].contains(response.status.code), "refused: \(what)")
                                #expect(response.status.code < 500, "failed: \(what)")
                            } else {
                                #expect([403, 404].contains(response.status.code), "LEAK: \(what)")
                            }
                            if route.access == .filteredList, response.status == .ok {
                                let json = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
                                let seen = Self.employerIDs(in: json, employerList: route.path == "/v1/employers")
                                let visible = AccessPolicy.visibleEmployers(principal, for: route.action)
                                let leaked = seen.filter { !visible.contains($0) }
                                #expect(leaked.isEmpty, "LEAK in list: \(what)")
                            }
                            return 1
                        }
                    }
                }
            }
            return checked
        }
        #expect(checked > routes.count * 4)
        await pool.close()
    }
}

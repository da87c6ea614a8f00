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

/// The public register (SPEC §10) as a procurement officer and a member of the public meet it: no
/// sign-in, only employers with a pledge in force, looked up by company number however it is typed, and
/// nothing beyond name, company number, sector, tier and pledge date.
@Suite("The public register", .timeLimit(.minutes(10)))
struct PublicRegisterTests {
    struct World {
        var pool: PGPool
    }

    /// Five employers: accredited (SC123456), aspiring (01234567, named like a formula), one whose
    /// pledge ended in February 2026, one whose pledge starts next year, and one that never pledged.
    static func world(_ name: String) async throws -> World {
        let pool = try await MigratedDatabase(name).pool
        let employers = EmployerStore(pool: pool)
        let pledges = PledgeStore(pool: pool)
        let today = CalendarDate(Date(), in: .europeLondon)
        func add(_ name: String, _ number: String?, _ sector: Sector = .private) async throws -> Int64 {
            try #require(
                try await employers.add(
                    Employer(name: name, companyNumber: number.flatMap { CompanyNumber($0) }, sector: sector),
                    actor: "test"
                ).id)
        }
        let accredited = try await add("Mersey Care Partnership", "SC123456", .public)
        let aspiring = try await add("=SUM Cleaning Ltd", "01234567")
        let ended = try await add("Lapsed Logistics Ltd", "07654321")
        let future = try await add("Future Foods Ltd", "08888888")
        _ = try await add("Never Signed Ltd", "09999999")
        // The seeded charter version is in force from 1 January 2026.
        let longAgo = CalendarDate(year: 2026, month: 1, day: 1)!
        _ = try await pledges.add(
            employerID: accredited, tier: .accredited, livingHours: true, overrides: PledgeOverrides(),
            validFrom: longAgo, validTo: nil, actor: "test")
        _ = try await pledges.add(
            employerID: aspiring, tier: .aspiring, livingHours: false, overrides: PledgeOverrides(),
            validFrom: longAgo, validTo: nil, actor: "test")
        _ = try await pledges.add(
            employerID: ended, tier: .aspiring, livingHours: false, overrides: PledgeOverrides(), validFrom: longAgo,
            validTo: CalendarDate(year: 2026, month: 2, day: 1)!, actor: "test")
        _ = try await pledges.add(
            employerID: future, tier: .aspiring, livingHours: false, overrides: PledgeOverrides(),
            validFrom: CalendarDate(year: today.year + 1, month: 1, day: 1)!, validTo: nil, actor: "test")
        return World(pool: pool)
    }

    static func application(_ world: World) -> some ApplicationProtocol {
        CharterServer.application(
            configuration: CharterConfiguration(), pool: world.pool, logger: Logger(label: "test"))
    }

    static func json(_ response: TestResponse) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
    }

    @Test func theRegisterListsOnlyPledgesInForceAndNothingElseAboutThem() async throws {
        let world = try await Self.world("register-list")
        try await Self.application(world).test(.router) { client in
            try await client.execute(uri: "/v1/register", method: .get) { response in
                #expect(response.status == .ok)
                let body = try #require(try Self.json(response) as? [String: Any])
                let employers = try #require(body["employers"] as? [[String: Any]])
                #expect(employers.map { $0["name"] as? String } == ["=SUM Cleaning Ltd", "Mersey Care Partnership"])
                #expect(body["count"] as? Int == 2)
                let allowed: Set<String> = ["name", "company_number", "sector", "tier", "pledged_on"]
                for employer in employers {
                    #expect(Set(employer.keys).isSubset(of: allowed), "\(employer.keys)")
                }
                #expect(employers[1]["tier"] as? String == "accredited")
                #expect(employers[1]["sector"] as? String == "public")
            }
            // A script's HTTP library sends a space as `+`, as a browser's form does; a plus is `%2B`.
            for (query, found) in [("mersey", 1), ("mersey+care", 1), ("mersey%20care", 1), ("mersey%2Bcare", 0)] {
                try await client.execute(uri: "/v1/register?q=\(query)", method: .get) { response in
                    let body = try #require(try Self.json(response) as? [String: Any])
                    #expect((body["employers"] as? [[String: Any]])?.count == found, "\(query)")
                }
            }
        }
        await world.pool.close()
    }

    @Test func aCompanyIsFoundByItsNumberInAnyCaseAndSpacing() async throws {
        let world = try await Self.world("register-lookup")
        try await Self.application(world).test(.router) { client in
            for typed in ["SC123456", "sc123456", "sc%20123%20456", "%20Sc12%203456%20"] {
                try await client.execute(uri: "/v1/register/\(typed)", method: .get) { response in
                    #expect(response.status == .ok, "\(typed)")
                    let body = try Self.json(response) as? [String: Any]
                    #expect(body?["name"] as? String == "Mersey Care Partnership", "\(typed)")
                }
            }
            // Leading zeros left off, as people often type an all-digit number.
            try await client.execute(uri: "/v1/register/1234567", method: .get) { response in
                #expect(response.status == .ok)
                let body = try Self.json(response) as? [String: Any]
                #expect(body?["company_number"] as? String == "01234567")
            }
            // Not a signatory today: ended, not yet started, never pledged, unknown.
            for number in ["07654321", "08888888", "09999999", "12345678"] {
                try await client.execute(uri: "/v1/register/\(number)", method: .get) { response in
                    #expect(response.status == .notFound, "\(number)")
                    let detail = (try Self.json(response) as? [String: Any])?["detail"] as? String ?? ""
                    #expect(detail.contains("is not a signatory"), "\(detail)")
                }
            }
            try await client.execute(uri: "/v1/register/not-a-number", method: .get) { response in
                #expect(response.status == .badRequest)
                let detail = (try Self.json(response) as? [String: Any])?["detail"] as? String ?? ""
                #expect(detail.contains("8 digits, or 2 letters and 6 digits"))
                #expect(!detail.contains("not-a-number"))
            }
        }
        await world.pool.close()
    }

    @Test func thePageAndTheSpreadsheetNeedNoSignInAndNeutraliseFormulas() async throws {
        let world = try await Self.world("register-page")
        try await Self.application(world).test(.router) { client in
            try await client.execute(uri: "/register", method: .get) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(
                    html.contains("<td>Mersey Care Partnership</td><td>SC123456</td><td>Public</td><td>Accredited</td>")
                )
                #expect(html.contains("1 accredited and 1 aspiring"))
                #expect(!html.contains("Lapsed Logistics"))
                #expect(!html.contains("Future Foods"))
                #expect(!html.contains("Sign out"))
            }
            try await client.execute(uri: "/register?q=SC12", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("Mersey Care Partnership"))
                #expect(!html.contains("SUM Cleaning"))
                #expect(html.contains(#"value="SC12""#))
                #expect(html.contains(#"href="/register.csv?q=SC12""#))
            }
            try await client.execute(uri: "/register.csv", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
                let lines = String(buffer: response.body).components(separatedBy: "\r\n")
                #expect(lines.first == "name,company_number,sector,tier,pledged_on")
                #expect(lines.contains { $0.hasPrefix("'=SUM Cleaning Ltd,01234567,private,aspiring,") })
                #expect(lines.count == 4)
            }
        }
        await world.pool.close()
    }
}

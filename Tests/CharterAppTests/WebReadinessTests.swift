import CharterDomain
import CharterStore
import Foundation
import Hummingbird
import HummingbirdTesting
import PGClient
import Testing

/// Readiness on the employer page (SPEC §10): shown for an employer aspiring today, to the employer and the
/// charter team, with the figures and worker refs behind each breach; never to a rep, whose view of an
/// employer carries suppressed figures only; never for an employer accredited today.
@Suite("Readiness on the employer page", .timeLimit(.minutes(10)))
struct WebReadinessTests {
    static let columns =
        "worker_ref,employment_type,contract_type,age_band,workplace_london,hourly_rate,contracted_hours,"
        + "avg_actual_hours_12w,start_date,shifts_scheduled,shifts_short_notice,shifts_cancelled_short_notice,"
        + "shifts_cancelled_paid"

    /// A 2026-Q3 return with W1 paid under the Real Living Wage (13.45 in force): a warning while aspiring,
    /// a breach once accredited.
    static func submitReturn(_ employer: Int64, pool: PGPool) async throws {
        let lines = (1...6).map {
            "W\($0),direct,permanent,21_plus,no,\($0 == 1 ? "13.00" : "14.00"),37.5,37.5,2021-03-01,60,2,1,1"
        }
        let csv = ([columns] + lines).joined(separator: "\r\n") + "\r\n"
        let header = #"{"period": "2026-Q3", "headcount": 6, "attestations": {"sick_pay_waiting_days": 0}}"#
        let outcome = try await ReturnStore(pool: pool).submit(
            ReturnSubmission(employerID: employer, submittedBy: "test", header: Data(header.utf8)),
            csv: AsyncStream { continuation in
                continuation.yield(Array(csv.utf8))
                continuation.finish()
            })
        guard case .accepted = outcome else {
            Issue.record("the return was not accepted: \(outcome)")
            return
        }
    }

    @Test func anAspiringEmployersPageSaysWhatStandsBetweenItAndAccreditation() async throws {
        let setup = try await WebPagesTests.setUp("web-readiness")
        try await Self.submitReturn(setup.covered, pool: setup.pool)
        let accredited = try #require(
            try await EmployerStore(pool: setup.pool).add(Employer(name: "Knowsley Bakers Ltd"), actor: "test").id)
        _ = try await PledgeStore(pool: setup.pool).add(
            employerID: accredited, tier: .accredited, livingHours: false, overrides: PledgeOverrides(),
            validFrom: CalendarDate(year: 2026, month: 1, day: 1)!, validTo: nil, actor: "test")
        try await Self.submitReturn(accredited, pool: setup.pool)
        try await WebPagesTests.application(setup).test(.router) { client in
            let page = "/employers/\(setup.covered)"
            for email in ["hr@sefton.example", "team@charter.example"] {
                let cookie = try await WebPagesTests.signIn(client, email)
                try await client.execute(uri: page, method: .get, headers: [.cookie: cookie]) { response in
                    let html = WebPagesTests.text(response)
                    #expect(html.contains("and accreditation</h2>"), "\(email)")
                    #expect(
                        html.contains("Judged as if accredited, the 2026-Q3 return (version 1) would breach"),
                        "\(email)")
                    #expect(html.contains("<strong>pay.real-living-wage</strong>"), "\(email)")
                    #expect(html.contains("Worker refs: W1"), "\(email)")
                }
            }
            // The rep covering the employer sees its page, but not readiness and no worker ref.
            let rep = try await WebPagesTests.signIn(client, "jo@union.example")
            try await client.execute(uri: page, method: .get, headers: [.cookie: rep]) { response in
                #expect(response.status == .ok)
                let html = WebPagesTests.text(response)
                #expect(!html.contains("and accreditation</h2>"))
                #expect(!html.contains("Worker refs"))
                #expect(!html.contains(">W1<") && !html.contains("W1,"))
            }
            // An employer accredited today has nothing to be ready for.
            let admin = try await WebPagesTests.signIn(client, "team@charter.example")
            try await client.execute(uri: "/employers/\(accredited)", method: .get, headers: [.cookie: admin]) {
                #expect($0.status == .ok)
                #expect(!WebPagesTests.text($0).contains("and accreditation</h2>"))
            }
        }
        await setup.pool.close()
    }
}

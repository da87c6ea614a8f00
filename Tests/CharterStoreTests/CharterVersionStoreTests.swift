import CharterDomain
import CharterStore
import Foundation
import PGClient
import Testing

@Suite("Charter versions in the store", .timeLimit(.minutes(10)))
struct CharterVersionStoreTests {
    let fixture: StoreFixture
    init() async throws { fixture = try await StoreFixture("charter") }

    @Test func theSeededVersionHasTheTwentyFourStandardsOfTheSpec() async throws {
        let id = try await fixture.pool.withConnection {
            try await $0.query("SELECT id FROM charter_versions")[0].decode(Int64.self, at: 0)
        }
        let version = try #require(try await CharterVersionStore(pool: fixture.pool).version(id: id))
        #expect(version.standards.count == 24)
        #expect(version.returnDueDays == 30)
        #expect(version.shiftNoticeDays == 28)
        let plan = try #require(version.standard("pay.rlw-plan"))
        #expect(plan.severity(for: .aspiring) == .breach)
        #expect(plan.severity(for: .accredited) == .off)
        #expect(version.standard("hours.zero-hours-share")?.defaults.parameters["threshold_percent"]?.number == 5)
        #expect(
            version.dueDate(of: ReportingPeriod("2026-Q3")!, holidays: BankHolidays([]))
                == CalendarDate(iso: "2026-10-30"))
        #expect(try await CharterVersionStore(pool: fixture.pool).version(id: id + 1000) == nil)
    }

    /// A pledge is in force for a period when its dates hold the period's snapshot (its last day): from its
    /// first day, up to but not including its end.
    @Test func aPledgeIsInForceWhenItsDatesHoldTheSnapshot() async throws {
        let store = PledgeStore(pool: fixture.pool)
        func pledge(_ name: String, from: String, to: String?) async throws -> Int64 {
            let employer = try await fixture.newEmployer(name)
            _ = try await store.add(
                employerID: employer, tier: .aspiring, livingHours: false, overrides: PledgeOverrides(),
                validFrom: CalendarDate(iso: from)!, validTo: to.flatMap { CalendarDate(iso: $0) }, actor: "test")
            return employer
        }
        let fromSnapshot = try await pledge("Wirral Bakers Ltd", from: "2026-09-30", to: nil)
        let endingOnSnapshot = try await pledge("Sefton Care Ltd", from: "2026-01-01", to: "2026-09-30")
        let endingAfterSnapshot = try await pledge("Knowsley Print Ltd", from: "2026-01-01", to: "2026-10-01")
        let inForce = try await fixture.pool.withConnection {
            try await PledgeStore.inForce(
                employerIDs: [fromSnapshot, endingOnSnapshot, endingAfterSnapshot],
                periods: [ReportingPeriod("2026-Q2")!, ReportingPeriod("2026-Q3")!], on: $0)
        }
        #expect(
            Set(inForce.map { "\($0.employerID) \($0.period)" }) == [
                "\(fromSnapshot) 2026-Q3", "\(endingOnSnapshot) 2026-Q2", "\(endingAfterSnapshot) 2026-Q2",
                "\(endingAfterSnapshot) 2026-Q3",
            ])
    }

    /// Which version applies to an employer and period: its pledge's at the period's snapshot; with no
    /// pledge then, the newest published version (whose due days a submission's lateness follows).
    @Test func theVersionInForceIsThePledgedOneElseTheNewestPublished() async throws {
        let seeded = try await fixture.pool.withConnection {
            try await $0.query("SELECT id FROM charter_versions")[0].decode(Int64.self, at: 0)
        }
        let newer = try await fixture.pool.withConnection {
            try await $0.query(
                """
                INSERT INTO charter_versions (label, effective_from, params)
                VALUES ('Charter 2027', '2027-01-01', '{"return_due_days": 45}') RETURNING id
                """)[0].decode(Int64.self, at: 0)
        }
        let pledged = try await fixture.newEmployer("Halton Foods Ltd")
        let unpledged = try await fixture.newEmployer("Halton Logistics Ltd")
        _ = try await PledgeStore(pool: fixture.pool).add(
            employerID: pledged, tier: .aspiring, livingHours: false, overrides: PledgeOverrides(),
            validFrom: CalendarDate(iso: "2026-07-01")!, validTo: nil, actor: "test")
        let q2 = ReportingPeriod("2026-Q2")!
        let q3 = ReportingPeriod("2026-Q3")!

        let inForce = try await fixture.pool.withConnection {
            try await CharterVersionStore.versionsInForce(
                employerIDs: [pledged, unpledged], periods: [q2, q3], on: $0)
        }
        // The pledge starts in Q3, so Q2 has none; the employer with no pledge has none either.
        #expect(
            inForce.map { "\($0.employerID) \($0.period) \($0.charterVersionID)" } == ["\(pledged) \(q3) \(seeded)"])

        let (forPledged, forUnpledged) = try await fixture.pool.withConnection { connection in
            (
                try await CharterVersionStore.versionInForce(employerID: pledged, period: q3, on: connection),
                try await CharterVersionStore.versionInForce(employerID: unpledged, period: q3, on: connection)
            )
        }
        #expect(forPledged?.id == seeded)
        #expect(forPledged?.returnDueDays == 30)
        #expect(forUnpledged?.id == newer)
        #expect(forUnpledged?.returnDueDays == 45)
    }
}

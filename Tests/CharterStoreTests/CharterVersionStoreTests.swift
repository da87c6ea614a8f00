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
}

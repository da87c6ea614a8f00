import CharterDomain
import Foundation
import Testing

func money(_ text: String) -> Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))! }

@Suite("Rates in force on a date")
struct RateTableTests {
    let rates = RateTable.specDefaults

    @Test func realLivingWageChangesOnTheDeadlineNotTheAnnouncement() throws {
        #expect(try rates.realLivingWage(on: day("2026-04-30"), london: false) == money("12.60"))
        #expect(try rates.realLivingWage(on: day("2026-04-30"), london: true) == money("13.85"))
        #expect(try rates.realLivingWage(on: day("2026-05-01"), london: false) == money("13.45"))
        #expect(try rates.realLivingWage(on: day("2026-05-01"), london: true) == money("14.80"))
    }

    @Test func anUpliftIsUpcomingBetweenAnnouncementAndDeadline() {
        #expect(rates.upcomingRealLivingWage(on: day("2025-10-21")) == nil)
        #expect(rates.upcomingRealLivingWage(on: day("2025-10-22"))?.rateYear == "2025-26")
        #expect(rates.upcomingRealLivingWage(on: day("2026-04-30"))?.rateYear == "2025-26")
        #expect(rates.upcomingRealLivingWage(on: day("2026-05-01")) == nil)
    }

    @Test func aDateWithNoRateIsAClearError() {
        let rlw = #expect(throws: CharterDomainError.self) {
            try rates.realLivingWage(on: day("2024-04-30"), london: false)
        }
        #expect(rlw?.code == .noRateInForce)
        #expect(rlw?.message.contains("2024-04-30") == true)
        #expect(rlw?.message.contains("2024-05-01") == true)
        let nmw = #expect(throws: CharterDomainError.self) {
            try rates.minimumWage(
                on: day("2024-03-31"), ageBand: .twentyOnePlus, apprentice: false, apprenticeFirstYear: false)
        }
        #expect(nmw?.code == .noRateInForce)
    }

    @Test func minimumWageBandsChangeOnFirstApril() throws {
        #expect(try nmw("2026-03-31", .twentyOnePlus) == money("12.21"))
        #expect(try nmw("2026-04-01", .twentyOnePlus) == money("12.71"))
        #expect(try nmw("2026-04-01", .nineteenToTwenty) == money("10.85"))
        #expect(try nmw("2026-04-01", .eighteen) == money("10.85"))
        #expect(try nmw("2026-04-01", .under18) == money("8.00"))
    }

    @Test func apprenticeRateUnderNineteenOrInTheFirstYear() throws {
        // Under 19: the apprentice rate whatever the year of the apprenticeship.
        #expect(try nmw("2026-04-01", .eighteen, apprentice: true) == money("8.00"))
        #expect(try nmw("2026-04-01", .under18, apprentice: true) == money("8.00"))
        // 19 or over: the apprentice rate only in the first year, else the age band's rate.
        #expect(try nmw("2026-04-01", .nineteenToTwenty, apprentice: true, firstYear: true) == money("8.00"))
        #expect(try nmw("2026-04-01", .nineteenToTwenty, apprentice: true) == money("10.85"))
        #expect(try nmw("2026-04-01", .twentyOnePlus, apprentice: true, firstYear: true) == money("8.00"))
        #expect(try nmw("2026-04-01", .twentyOnePlus, apprentice: true) == money("12.71"))
        // First-year flag on a non-apprentice changes nothing.
        #expect(try nmw("2026-04-01", .twentyOnePlus, firstYear: true) == money("12.71"))
    }

    func nmw(_ date: String, _ band: AgeBand, apprentice: Bool = false, firstYear: Bool = false) throws -> Decimal {
        try rates.minimumWage(on: day(date), ageBand: band, apprentice: apprentice, apprenticeFirstYear: firstYear)
    }
}

import CharterDomain
import Testing

/// SPEC §10 "Renewal": when an accreditation lapses and which reminder each day before it calls for.
@Suite struct AccreditationTermTests {
    func day(_ text: String) throws -> CalendarDate { try #require(CalendarDate(iso: text)) }

    @Test func theTermIsTheVersionsAccreditationMonthsOrTwentyFourYears() {
        #expect(AccreditationTerm(months: nil).months == 24)
        #expect(AccreditationTerm(months: 36).months == 36)
        #expect(AccreditationTerm(months: 1).months == 1)
        // A stored value no charter version should have falls back to the default rather than lapsing everyone.
        for odd in [0, -6, 12.5, 121, .nan] as [Double] {
            #expect(AccreditationTerm(months: odd).months == AccreditationTerm.defaultMonths, "\(odd)")
        }
    }

    @Test func theLapseDateIsTheStartPlusTheTermClampedToTheMonthsEnd() throws {
        let twoYears = AccreditationTerm(months: nil)
        #expect(twoYears.lapseDate(start: try day("2025-03-01")) == (try day("2027-03-01")))
        // 29 Feb of a leap year, two years on, has no 29 Feb: the month's last day.
        #expect(twoYears.lapseDate(start: try day("2024-02-29")) == (try day("2026-02-28")))
        let sixMonths = AccreditationTerm(months: 6)
        #expect(sixMonths.lapseDate(start: try day("2025-08-31")) == (try day("2026-02-28")))
        #expect(sixMonths.lapseDate(start: try day("2027-08-31")) == (try day("2028-02-29")))
        #expect(sixMonths.lapseDate(start: try day("2025-12-31")) == (try day("2026-06-30")))
    }

    @Test func eachDayBeforeTheLapseCallsForItsRungAndTheLapseDayForTheLapse() {
        let expected: [(days: Int, step: AccreditationTerm.Step)] = [
            (365, .none), (91, .none),
            (90, .reminder(.ninetyDays)), (31, .reminder(.ninetyDays)),
            (30, .reminder(.thirtyDays)), (8, .reminder(.thirtyDays)),
            (7, .reminder(.sevenDays)), (1, .reminder(.sevenDays)),
            (0, .lapse), (-3, .lapse),
        ]
        for (days, step) in expected {
            #expect(AccreditationTerm.step(daysUntilLapse: days) == step, "\(days) days before the lapse")
        }
    }

    @Test func theRungsAreNinetyThirtyAndSevenDaysBefore() {
        #expect(AccreditationTerm.Rung.allCases.map(\.daysBeforeLapse) == [90, 30, 7])
        #expect(AccreditationTerm.Rung.allCases.map(\.rawValue) == ["90-days", "30-days", "7-days"])
    }
}

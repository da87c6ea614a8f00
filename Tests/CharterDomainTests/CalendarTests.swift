import CharterDomain
import Foundation
import Testing

/// England and Wales bank holidays 2026–2027, as the reference-data migration seeds them.
let holidays = BankHolidays(
    [
        "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28",
        "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28",
    ].map { CalendarDate(iso: $0)! })

func day(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }
func instant(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

@Suite("Calendar dates")
struct CalendarDateTests {
    @Test func parsesOnlyRealISODates() {
        #expect(CalendarDate(iso: "2028-02-29")?.description == "2028-02-29")
        #expect(CalendarDate(iso: "2026-02-29") == nil)
        #expect(CalendarDate(iso: "2026-13-01") == nil)
        #expect(CalendarDate(iso: "2026-1-01") == nil)
        #expect(CalendarDate(iso: "01/02/2026") == nil)
        #expect(CalendarDate(iso: "2026-04-31") == nil)
    }

    @Test func arithmeticAcrossMonthsYearsAndLeapDays() {
        #expect(day("2026-12-31").adding(days: 1) == day("2027-01-01"))
        #expect(day("2028-02-28").adding(days: 1) == day("2028-02-29"))
        #expect(day("2026-01-31").adding(months: 1) == day("2026-02-28"))
        #expect(day("2026-11-30").adding(months: 24) == day("2028-11-30"))
        #expect(day("2026-03-15").adding(months: -3) == day("2025-12-15"))
        #expect(day("2026-01-01").days(until: day("2027-01-01")) == 365)
        #expect(day("1969-12-31").daysSinceEpoch == -1)
        #expect(CalendarDate(daysSinceEpoch: -1) == day("1969-12-31"))
    }

    @Test func weekdays() {
        #expect(day("2026-11-24").isoWeekday == 2)  // a Tuesday
        #expect(day("2027-01-30").isWeekend)
        #expect(!day("2027-02-01").isWeekend)
    }
}

@Suite("Reporting periods and due dates")
struct ReportingPeriodTests {
    @Test func parsesPeriods() {
        #expect(ReportingPeriod("2026-Q3")?.quarter == 3)
        #expect(ReportingPeriod("1900-Q1") == ReportingPeriod(year: 1900, quarter: 1))
        #expect(ReportingPeriod("9999-Q4")?.description == "9999-Q4")
        for bad in [
            "2026-Q0", "2026-Q5", "2026Q3", "2026-q3", "26-Q3", "2026-Q3 ", "+026-Q3", "-026-Q3", "2026-Q", "2026-QQ",
            "1899-Q4", "２０２６-Q3", "", "2026-Q34",
        ] {
            #expect(ReportingPeriod(bad) == nil, "\(bad)")
        }
    }

    @Test func snapshotIsTheLastDayOfTheQuarter() {
        #expect(ReportingPeriod("2026-Q1")!.snapshot == day("2026-03-31"))
        #expect(ReportingPeriod("2026-Q2")!.snapshot == day("2026-06-30"))
        #expect(ReportingPeriod("2026-Q3")!.snapshot == day("2026-09-30"))
        #expect(ReportingPeriod("2026-Q4")!.snapshot == day("2026-12-31"))
        #expect(ReportingPeriod("2027-Q1")!.previous == ReportingPeriod("2026-Q4"))
        #expect(ReportingPeriod(containing: day("2026-08-15")) == ReportingPeriod("2026-Q3"))
    }

    @Test func dueDateIsSnapshotPlusOffsetOnAWorkingDay() {
        // 2026-09-30 + 30 = Friday 2026-10-30, a working day.
        #expect(ReportingPeriod("2026-Q3")!.dueDate(returnDueDays: 30, holidays: holidays) == day("2026-10-30"))
        // 2026-12-31 + 30 = Saturday 2027-01-30 → Monday 2027-02-01.
        #expect(ReportingPeriod("2026-Q4")!.dueDate(returnDueDays: 30, holidays: holidays) == day("2027-02-01"))
        // 2026-03-31 + 3 = Good Friday → Saturday, Sunday, Easter Monday → Tuesday 2026-04-07.
        #expect(ReportingPeriod("2026-Q1")!.dueDate(returnDueDays: 3, holidays: holidays) == day("2026-04-07"))
        // 2026-09-30 + 86 = Christmas Day (Friday) → weekend → Boxing Day substitute Monday 28 → Tuesday 29.
        #expect(ReportingPeriod("2026-Q3")!.dueDate(returnDueDays: 86, holidays: holidays) == day("2026-12-29"))
    }

    @Test func lateMeansAfter235959EuropeLondonOnTheDueDateInWinter() {
        // Due Friday 2026-10-30, after the clocks went back (GMT = UTC).
        let period = ReportingPeriod("2026-Q3")!
        #expect(!period.isLate(received: instant("2026-10-30T23:59:59Z"), returnDueDays: 30, holidays: holidays))
        #expect(period.isLate(received: instant("2026-10-31T00:00:00Z"), returnDueDays: 30, holidays: holidays))
    }

    @Test func lateMeansAfter235959EuropeLondonOnTheDueDateInSummer() {
        // Due Thursday 2026-04-30 in British Summer Time: midnight in London is 23:00 UTC.
        let period = ReportingPeriod("2026-Q1")!
        #expect(period.dueDate(returnDueDays: 30, holidays: holidays) == day("2026-04-30"))
        #expect(!period.isLate(received: instant("2026-04-30T22:59:59Z"), returnDueDays: 30, holidays: holidays))
        #expect(period.isLate(received: instant("2026-04-30T23:00:00Z"), returnDueDays: 30, holidays: holidays))
    }
}

@Suite("Companies House numbers")
struct CompanyNumberTests {
    @Test func acceptsEightDigitsOrTwoLettersAndSixDigits() {
        #expect(CompanyNumber("02566586")?.value == "02566586")
        #expect(CompanyNumber("SC016876")?.value == "SC016876")
        #expect(CompanyNumber(" sc016876 ")?.value == "SC016876")
        #expect(CompanyNumber("RC000641") != nil)
    }

    @Test func refusesEverythingElse() {
        for bad in ["2566586", "025665861", "S0016876", "SC01687A", "SC 16876", "", "12345678X"] {
            #expect(CompanyNumber(bad) == nil, "\(bad)")
        }
    }
}

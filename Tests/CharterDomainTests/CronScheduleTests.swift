import CharterDomain
import Foundation
import Testing

private let utcZone = TimeZone(identifier: "UTC")!
private let newYork = TimeZone(identifier: "America/New_York")!

/// An instant written in UTC, e.g. `2026-03-29T01:00:00Z`.
private func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

private func schedule(_ expression: String, _ timeZone: TimeZone = CronSchedule.london) -> CronSchedule {
    try! CronSchedule(expression, timeZone: timeZone)
}

/// The next occurrences after `start`, each one asked for strictly after the previous, as a scheduler does.
private func next(_ count: Int, of schedule: CronSchedule, after start: String) -> [Date] {
    var found: [Date] = []
    var cursor = utc(start)
    for _ in 0..<count {
        guard let next = schedule.nextDate(after: cursor) else { break }
        found.append(next)
        cursor = next
    }
    return found
}

/// The local wall-clock times of instants, to check that no local time is scheduled twice.
private func wallClocks(_ instants: [Date], in timeZone: TimeZone) -> [String] {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = timeZone
    formatter.dateFormat = "yyyy-MM-dd HH:mm"
    return instants.map { formatter.string(from: $0) }
}

private func rejection(_ expression: String) -> String? {
    do {
        _ = try CronSchedule(expression)
        return nil
    } catch {
        return error.message
    }
}

@Suite("Cron expressions: parsing")
struct CronParsingTests {
    @Test func starMatchesEveryMinute() {
        let dates = schedule("* * * * *", utcZone).occurrences(
            after: utc("2026-05-01T00:00:00Z"), through: utc("2026-05-01T01:00:00Z"))
        #expect(dates.count == 60)
        #expect(dates.first == utc("2026-05-01T00:01:00Z"))
        #expect(dates.last == utc("2026-05-01T01:00:00Z"))
    }

    @Test func numbersListsRangesAndSteps() {
        let dates = schedule("0,15,40-42 9-17/4 * * *", utcZone).occurrences(
            after: utc("2026-05-01T00:00:00Z"), through: utc("2026-05-02T00:00:00Z"))
        #expect(
            dates
                == [
                    "09:00", "09:15", "09:40", "09:41", "09:42", "13:00", "13:15", "13:40", "13:41", "13:42",
                    "17:00", "17:15", "17:40", "17:41", "17:42",
                ].map { utc("2026-05-01T\($0):00Z") })

        let stars = schedule("*/20 */6 * * *", utcZone).occurrences(
            after: utc("2026-05-01T00:00:00Z"), through: utc("2026-05-01T23:59:00Z"))
        #expect(
            stars
                == ["00:20", "00:40", "06:00", "06:20", "06:40", "12:00", "12:20", "12:40", "18:00", "18:20", "18:40"]
                .map { utc("2026-05-01T\($0):00Z") })
    }

    @Test func monthNamesInAnyCaseWithRangesAndSteps() {
        let named = schedule("0 12 1 jan,Jul-SEP *", utcZone).occurrences(
            after: utc("2026-01-01T00:00:00Z"), through: utc("2026-12-31T23:59:00Z"))
        #expect(named == ["01", "07", "08", "09"].map { utc("2026-\($0)-01T12:00:00Z") })

        let quarterly = schedule("0 12 1 JAN-DEC/3 *", utcZone).occurrences(
            after: utc("2026-01-01T00:00:00Z"), through: utc("2026-12-31T23:59:00Z"))
        #expect(quarterly == ["01", "04", "07", "10"].map { utc("2026-\($0)-01T12:00:00Z") })
    }

    @Test func dayNamesInAnyCase() {
        // 2026-05-04 is a Monday.
        let dates = schedule("0 9 * * mon-WED,Fri", utcZone).occurrences(
            after: utc("2026-05-04T00:00:00Z"), through: utc("2026-05-10T23:59:00Z"))
        #expect(dates == ["04", "05", "06", "08"].map { utc("2026-05-\($0)T09:00:00Z") })
    }

    @Test func sundayIsZeroOrSeven() {
        // 2026-05-01 is a Friday; the next Sunday is 2026-05-03.
        for expression in ["0 9 * * 0", "0 9 * * 7", "0 9 * * sun"] {
            #expect(
                schedule(expression, utcZone).nextDate(after: utc("2026-05-01T00:00:00Z"))
                    == utc("2026-05-03T09:00:00Z"))
        }
        let weekend = schedule("0 9 * * 5-7", utcZone).occurrences(
            after: utc("2026-05-01T00:00:00Z"), through: utc("2026-05-07T23:59:00Z"))
        #expect(weekend == ["01", "02", "03"].map { utc("2026-05-\($0)T09:00:00Z") })
    }

    @Test func descriptionShowsExpressionAndZone() throws {
        let spaced = try CronSchedule("  30  2 * *\t* ")
        #expect(spaced.description == "30 2 * * * (Europe/London)")
        #expect(spaced.expression == "30 2 * * *")
        #expect(spaced == schedule("30 2 * * *"))
        #expect(schedule("0 7 * * 1", newYork).description == "0 7 * * 1 (America/New_York)")
        #expect(schedule("30 2 * * *", utcZone) != schedule("30 2 * * *"))
    }

    @Test func wrongNumberOfFields() {
        let fields = "a cron expression has 5 fields (minute hour day-of-month month day-of-week);"
        #expect(rejection("0 0 * *") == "\(fields) \"0 0 * *\" has 4")
        #expect(rejection("0 0 * * * 2026") == "\(fields) \"0 0 * * * 2026\" has 6")
        #expect(rejection("") == "\(fields) \"\" has 0")
        #expect(rejection("@daily") == "\(fields) \"@daily\" has 1")
    }

    @Test func valuesOutOfRange() {
        #expect(rejection("60 * * * *") == "minute field \"60\" is out of range 0-59")
        #expect(rejection("0 25 * * *") == "hour field \"25\" is out of range 0-23")
        #expect(rejection("0 0 0 * *") == "day-of-month field \"0\" is out of range 1-31")
        #expect(rejection("0 0 32 * *") == "day-of-month field \"32\" is out of range 1-31")
        #expect(rejection("0 0 * 13 *") == "month field \"13\" is out of range 1-12")
        #expect(rejection("0 0 * * 8") == "day-of-week field \"8\" is out of range 0-7")
        #expect(rejection("0 9-24 * * *") == "hour field \"24\" is out of range 0-23")
        #expect(rejection("99999999999 * * * *") == "minute field \"99999999999\" is out of range 0-59")
    }

    @Test func unknownNamesAndSymbols() {
        #expect(rejection("0 0 * FOO *") == "month field \"FOO\" is not a number or a month name (JAN-DEC)")
        #expect(rejection("0 0 * * MONDAY") == "day-of-week field \"MONDAY\" is not a number or a day name (SUN-SAT)")
        #expect(rejection("0 JAN * * *") == "hour field \"JAN\" is not a whole number")
        #expect(rejection("0 0 * * JAN") == "day-of-week field \"JAN\" is not a number or a day name (SUN-SAT)")
        #expect(rejection("0 0 ? * *") == "day-of-month field \"?\" is not a whole number")
        #expect(rejection("0 0 L * *") == "day-of-month field \"L\" is not a whole number")
        #expect(rejection("٣ * * * *") == "minute field \"٣\" is not a whole number")
        #expect(rejection("+5 * * * *") == "minute field \"+5\" is not a whole number")
    }

    @Test func malformedRangesListsAndSteps() {
        #expect(rejection("0 5-3 * * *") == "hour field \"5-3\" is a backwards range; write it as two ranges")
        #expect(rejection("*/0 * * * *") == "minute field \"*/0\" has a step of 0; a step must be at least 1")
        #expect(rejection("*/x * * * *") == "minute field \"*/x\" has a step that is not a whole number")
        #expect(rejection("*/ * * * *") == "minute field \"*/\" has a step that is not a whole number")
        #expect(rejection("*/5/2 * * * *") == "minute field \"*/5/2\" has more than one \"/\"")
        #expect(
            rejection("5/15 * * * *")
                == "minute field \"5/15\" has a step after a single value; write a range with it (a-b/n) or */n")
        #expect(rejection("1,,2 * * * *") == "minute field \"1,,2\" has an empty list entry")
        #expect(rejection("1, * * * *") == "minute field \"1,\" has an empty list entry")
        #expect(rejection("-5 * * * *") == "minute field \"-5\" is missing a value")
        #expect(rejection("1-2-3 * * * *") == "minute field \"1-2-3\" is not a value or a range a-b")
        #expect(rejection("0 0 * * **") == "day-of-week field \"**\" is not a number or a day name (SUN-SAT)")
    }
}

@Suite("Cron schedules: next date")
struct CronNextDateTests {
    @Test func nightlyComplianceAtHalfPastTwoLondonTime() {
        let nightly = schedule("30 2 * * *")
        // Summer: 02:30 BST is 01:30 UTC.
        #expect(nightly.nextDate(after: utc("2026-07-01T00:00:00Z")) == utc("2026-07-01T01:30:00Z"))
        #expect(nightly.nextDate(after: utc("2026-07-01T01:30:00Z")) == utc("2026-07-02T01:30:00Z"))
        #expect(nightly.nextDate(after: utc("2026-07-01T01:30:00Z") - 0.5) == utc("2026-07-01T01:30:00Z"))
        // Winter: 02:30 GMT is 02:30 UTC.
        #expect(nightly.nextDate(after: utc("2026-01-15T12:00:00Z")) == utc("2026-01-16T02:30:00Z"))
    }

    @Test func remindersAtEight() {
        let reminders = schedule("0 8 * * *")
        #expect(reminders.nextDate(after: utc("2026-06-10T06:59:59Z")) == utc("2026-06-10T07:00:00Z"))
        #expect(reminders.nextDate(after: utc("2026-06-10T07:00:00Z")) == utc("2026-06-11T07:00:00Z"))
        #expect(reminders.nextDate(after: utc("2026-12-01T00:00:00Z")) == utc("2026-12-01T08:00:00Z"))
    }

    @Test func weeklySummaryOnMondayAtSeven() {
        let weekly = schedule("0 7 * * 1")
        // 2026-06-10 is a Wednesday: next Monday 2026-06-15, 07:00 BST = 06:00 UTC.
        #expect(weekly.nextDate(after: utc("2026-06-10T12:00:00Z")) == utc("2026-06-15T06:00:00Z"))
        // 2026-12-01 is a Tuesday: next Monday 2026-12-07, 07:00 GMT.
        #expect(weekly.nextDate(after: utc("2026-12-01T00:00:00Z")) == utc("2026-12-07T07:00:00Z"))
        #expect(weekly.nextDate(after: utc("2026-12-07T07:00:00Z")) == utc("2026-12-14T07:00:00Z"))
    }

    @Test func retentionOnSundayAtFour() {
        let retention = schedule("0 4 * * 0")
        #expect(retention.nextDate(after: utc("2026-06-10T12:00:00Z")) == utc("2026-06-14T03:00:00Z"))
        #expect(retention.nextDate(after: utc("2026-01-15T12:00:00Z")) == utc("2026-01-18T04:00:00Z"))
        // Both 2026 clock changes fall on a Sunday, at 01:00 UTC, before 04:00 local.
        #expect(retention.nextDate(after: utc("2026-03-28T12:00:00Z")) == utc("2026-03-29T03:00:00Z"))
        #expect(retention.nextDate(after: utc("2026-10-24T12:00:00Z")) == utc("2026-10-25T04:00:00Z"))
    }

    @Test func monthEndsAndLeapYears() {
        // Months without a 31st are skipped: after April comes 31 May, 00:00 BST = 30 May 23:00 UTC.
        let lastDay = schedule("0 0 31 * *")
        #expect(lastDay.nextDate(after: utc("2026-04-01T00:00:00Z")) == utc("2026-05-30T23:00:00Z"))
        #expect(lastDay.nextDate(after: utc("2026-12-01T00:00:00Z")) == utc("2026-12-31T00:00:00Z"))
        // 29 February: 2027 is not a leap year, 2028 is.
        let leapDay = schedule("0 0 29 2 *")
        #expect(leapDay.nextDate(after: utc("2026-03-01T00:00:00Z")) == utc("2028-02-29T00:00:00Z"))
        #expect(leapDay.nextDate(after: utc("2028-02-29T00:00:00Z")) == utc("2032-02-29T00:00:00Z"))
        // 2100 is not a leap year: the wait from 2096 is eight years.
        #expect(leapDay.nextDate(after: utc("2096-03-01T00:00:00Z")) == utc("2104-02-29T00:00:00Z"))
        // New Year's Eve into the next year.
        #expect(
            schedule("59 23 31 12 *", utcZone).nextDate(after: utc("2026-12-31T23:59:00Z"))
                == utc("2027-12-31T23:59:00Z"))
    }

    @Test func dayOfMonthOrDayOfWeek() {
        // Both restricted: the 10th (a Wednesday) and every Monday of June 2026.
        let either = schedule("0 9 10 * MON").occurrences(
            after: utc("2026-06-01T00:00:00Z"), through: utc("2026-06-30T23:59:00Z"))
        #expect(either == ["01", "08", "10", "15", "22", "29"].map { utc("2026-06-\($0)T08:00:00Z") })
        // 1-31 is a restriction, so with MON it still means "or": every day.
        let everyDay = schedule("0 9 1-31 * MON").occurrences(
            after: utc("2026-06-01T00:00:00Z"), through: utc("2026-06-30T23:59:00Z"))
        #expect(everyDay.count == 30)
        // As in Vixie cron, a field starting with * is unrestricted, so */2 with MON means "and":
        // Mondays on odd days of the month.
        let both = schedule("0 9 */2 * MON").occurrences(
            after: utc("2026-06-01T00:00:00Z"), through: utc("2026-06-30T23:59:00Z"))
        #expect(both == ["01", "15", "29"].map { utc("2026-06-\($0)T08:00:00Z") })
        // Only one restricted: it alone decides.
        let mondays = schedule("0 9 * * MON").occurrences(
            after: utc("2026-06-01T00:00:00Z"), through: utc("2026-06-30T23:59:00Z"))
        #expect(mondays == ["01", "08", "15", "22", "29"].map { utc("2026-06-\($0)T08:00:00Z") })
    }

    @Test func impossibleScheduleNeverRuns() {
        #expect(schedule("0 0 31 2 *").nextDate(after: utc("2026-01-01T00:00:00Z")) == nil)
        #expect(schedule("0 0 30 2 *").nextDate(after: utc("2026-01-01T00:00:00Z")) == nil)
        #expect(schedule("0 0 31 4,6,9,11 *").nextDate(after: utc("2026-01-01T00:00:00Z")) == nil)
        #expect(
            schedule("0 0 31 2 *").occurrences(after: utc("2026-01-01T00:00:00Z"), through: utc("2036-01-01T00:00:00Z"))
                .isEmpty)
        #expect(schedule("0 0 31 2 *").nextDate(after: .distantFuture) == nil)
    }

    @Test func honoursTheScheduleTimeZone() {
        #expect(
            schedule("30 2 * * *", utcZone).nextDate(after: utc("2026-07-01T00:00:00Z")) == utc("2026-07-01T02:30:00Z"))
        let newYorkNine = schedule("0 9 * * *", newYork)
        #expect(newYorkNine.nextDate(after: utc("2026-07-01T00:00:00Z")) == utc("2026-07-01T13:00:00Z"))  // EDT
        #expect(newYorkNine.nextDate(after: utc("2026-01-15T00:00:00Z")) == utc("2026-01-15T14:00:00Z"))  // EST
        // New York springs forward on 2026-03-08 at 02:00 EST: 02:30 does not exist, so 03:00 EDT.
        #expect(
            schedule("30 2 * * *", newYork).nextDate(after: utc("2026-03-08T00:00:00Z")) == utc("2026-03-08T07:00:00Z"))
        // A local date ahead of UTC: 2026-07-01 09:00 in Tokyo is 2026-07-01 00:00 UTC.
        #expect(
            schedule("0 9 * * *", TimeZone(identifier: "Asia/Tokyo")!).nextDate(after: utc("2026-06-30T12:00:00Z"))
                == utc("2026-07-01T00:00:00Z"))
    }

    @Test func occurrencesOverAFewDays() {
        let reminders = schedule("0 8 * * *")
        let start = utc("2026-10-23T00:00:00Z")
        let dates = reminders.occurrences(after: start, through: utc("2026-10-27T00:00:00Z"))
        #expect(
            dates == [
                utc("2026-10-23T07:00:00Z"), utc("2026-10-24T07:00:00Z"),
                utc("2026-10-25T08:00:00Z"), utc("2026-10-26T08:00:00Z"),
            ])
        // The end is included; the start is not.
        #expect(
            reminders.occurrences(after: utc("2026-10-23T07:00:00Z"), through: utc("2026-10-24T07:00:00Z"))
                == [utc("2026-10-24T07:00:00Z")])
        #expect(reminders.occurrences(after: start, through: start).isEmpty)
        #expect(reminders.occurrences(after: start, through: utc("2026-10-22T00:00:00Z")).isEmpty)
        // Each occurrence is what nextDate would give in turn.
        #expect(dates == next(4, of: reminders, after: "2026-10-23T00:00:00Z"))
    }
}

@Suite("Cron schedules: UK clock changes 2026")
struct CronClockChangeTests {
    // 2026-03-29: at 01:00 GMT the clocks go forward to 02:00 BST; 01:00–01:59 local does not exist.

    @Test func missingTimeRunsAtTheNextValidMinute() {
        let dates = next(3, of: schedule("30 1 * * *"), after: "2026-03-28T12:00:00Z")
        #expect(
            dates == [
                utc("2026-03-29T01:00:00Z"),  // 01:30 does not exist: 02:00 BST
                utc("2026-03-30T00:30:00Z"),  // 01:30 BST
                utc("2026-03-31T00:30:00Z"),
            ])
        for minute in ["0", "59"] {
            #expect(
                schedule("\(minute) 1 * * *").nextDate(after: utc("2026-03-28T12:00:00Z"))
                    == utc("2026-03-29T01:00:00Z"))
        }
    }

    @Test func missingTimesThatMeetRunOnce() {
        // 01:00, 01:30 and 02:00 local all come to 02:00 BST; one run there, then 02:30 BST.
        let dates = schedule("0,30 1,2 * * *").occurrences(
            after: utc("2026-03-28T23:00:00Z"), through: utc("2026-03-29T23:00:00Z"))
        #expect(dates == [utc("2026-03-29T01:00:00Z"), utc("2026-03-29T01:30:00Z")])
    }

    @Test func nightlyUnaffectedBySpringForward() {
        let dates = next(3, of: schedule("30 2 * * *"), after: "2026-03-27T12:00:00Z")
        #expect(
            dates == [
                utc("2026-03-28T02:30:00Z"),  // 02:30 GMT
                utc("2026-03-29T01:30:00Z"),  // 02:30 BST
                utc("2026-03-30T01:30:00Z"),
            ])
    }

    @Test func quarterHourlyAcrossTheGap() {
        let dates = schedule("*/15 * * * *").occurrences(
            after: utc("2026-03-29T00:15:00Z"), through: utc("2026-03-29T01:30:00Z"))
        // 00:30 GMT, 00:45 GMT, 02:00 BST, 02:15 BST, 02:30 BST: every 15 real minutes, no duplicates.
        #expect(dates == ["00:30", "00:45", "01:00", "01:15", "01:30"].map { utc("2026-03-29T\($0):00Z") })
    }

    // 2026-10-25: at 02:00 BST the clocks go back to 01:00 GMT; 01:00–01:59 local happens twice.

    @Test func repeatedTimeRunsOnceAtItsFirstOccurrence() {
        let dates = next(2, of: schedule("30 1 * * *"), after: "2026-10-24T12:00:00Z")
        #expect(dates == [utc("2026-10-25T00:30:00Z"), utc("2026-10-26T01:30:00Z")])
        // Asked during the second pass (01:15 GMT), it does not run again at 01:30 GMT.
        #expect(schedule("30 1 * * *").nextDate(after: utc("2026-10-25T01:15:00Z")) == utc("2026-10-26T01:30:00Z"))
    }

    @Test func halfHourlyAcrossTheRepeatedHour() {
        let zone = CronSchedule.london
        let dates = schedule("*/30 * * * *").occurrences(
            after: utc("2026-10-24T23:00:00Z"), through: utc("2026-10-25T03:00:00Z"))
        // 00:30 BST, 01:00 BST, 01:30 BST, then the second pass of 01:00–01:59 is skipped: 02:00 GMT onwards.
        #expect(
            dates == [
                utc("2026-10-24T23:30:00Z"), utc("2026-10-25T00:00:00Z"), utc("2026-10-25T00:30:00Z"),
                utc("2026-10-25T02:00:00Z"), utc("2026-10-25T02:30:00Z"), utc("2026-10-25T03:00:00Z"),
            ])
        let wallTimes = wallClocks(dates, in: zone)
        #expect(Set(wallTimes).count == wallTimes.count)
        #expect(schedule("*/30 * * * *").nextDate(after: utc("2026-10-25T01:15:00Z")) == utc("2026-10-25T02:00:00Z"))
    }

    @Test func nightlyUnaffectedByFallBack() {
        let dates = next(3, of: schedule("30 2 * * *"), after: "2026-10-23T12:00:00Z")
        #expect(
            dates == [
                utc("2026-10-24T01:30:00Z"),  // 02:30 BST
                utc("2026-10-25T02:30:00Z"),  // 02:30 GMT
                utc("2026-10-26T02:30:00Z"),
            ])
    }

    @Test func aYearOfFiveMinuteMarksHasEachInstantAndEachWallTimeOnce() {
        let dates = schedule("*/5 * * * *").occurrences(
            after: utc("2026-01-01T00:00:00Z"), through: utc("2027-01-01T00:00:00Z"))
        // Every local five-minute mark of 2026 once, except that in spring the 12 missing marks 01:00–01:55
        // and 02:00 BST itself are one run, at 02:00 BST. The repeated marks in autumn run once each.
        #expect(dates.count == 365 * 288 - 12)
        let increasing = zip(dates, dates.dropFirst()).allSatisfy { $0 < $1 }
        #expect(increasing)
        let wallTimes = wallClocks(dates, in: CronSchedule.london)
        let distinctWallTimes = Set(wallTimes).count
        #expect(distinctWallTimes == dates.count)
        // One pass gives what a scheduler asking nextDate(after:) again and again would get; checked over the
        // days around the clock changes, as a year of single steps would slow the suite down.
        for start in ["2026-03-28T00:00:00Z", "2026-10-24T00:00:00Z"] {
            let stepByStep = next(3 * 288, of: schedule("*/5 * * * *"), after: start)
            let from = utc(start)
            let onePass = Array(dates.drop { $0 <= from }.prefix(3 * 288))
            #expect(onePass == stepByStep)
        }
    }
}

public import Foundation

/// A five-field cron schedule (`minute hour day-of-month month day-of-week`) read in an explicit time zone.
///
/// The scheduled jobs of SPEC §6 (nightly compliance at `30 2 * * *`, reminders, the weekly summary,
/// retention) are configured this way. The time zone is part of the schedule, not of the machine, so that
/// "02:30" means 02:30 in London whatever zone a server runs in, and so that summer time is handled once,
/// here, rather than by every caller.
///
/// The syntax is Vixie cron's: `*`, numbers, ranges `a-b`, lists `a,b,c`, steps `*/n` and `a-b/n`, month
/// names `JAN`–`DEC` and day names `SUN`–`SAT` in any case, and day-of-week 0–7 with both 0 and 7 meaning
/// Sunday. When both day-of-month and day-of-week are restricted, a day matches if *either* matches
/// (`0 0 1 * MON` runs on the 1st and on every Monday); as in Vixie cron, a field written starting with `*`
/// (`*` or `*/n`) counts as unrestricted, and then both fields must match.
///
/// Clock changes (SPEC §6): a local time that does not exist runs at the next valid minute, and a local
/// time that happens twice runs once, at its first occurrence. So `30 1 * * *` runs at 02:00 BST on the
/// morning the clocks go forward and at 01:30 BST (not again at 01:30 GMT) on the morning they go back;
/// `*/15 * * * *` runs once at 02:00 BST for the whole missing hour, and during the repeated hour only on
/// its first pass — no local wall-clock time of a date is ever scheduled twice, and no two occurrences share
/// an instant.
public struct CronSchedule: Sendable, Hashable, CustomStringConvertible {
    /// Europe/London, the zone the charter's schedules are written in (SPEC §6).
    public static let london = TimeZone(identifier: "Europe/London")!

    /// The expression as given, with its five fields separated by single spaces.
    public let expression: String
    /// The zone whose wall clock the expression is read on.
    public let timeZone: TimeZone

    private let minutes: CronField
    private let hours: CronField
    private let daysOfMonth: CronField
    private let months: CronField
    private let daysOfWeek: CronField

    /// How many days ahead a search looks before deciding a schedule never runs.
    ///
    /// Eight years and a bit, because that is the longest wait for a possible date (29 February 2096 to
    /// 29 February 2104); an impossible schedule such as `0 0 31 2 *` costs only a date check per day.
    static let searchDays = 8 * 366 + 2

    /// Parses a five-field cron expression, read on the wall clock of `timeZone`.
    ///
    /// Anything outside the syntax described on the type — a sixth field, `@daily`, `L`, `?`, a value out of
    /// range, a backwards range — is rejected with a message naming the field and the text, because a
    /// schedule that half-parses would run jobs at times nobody chose.
    public init(_ expression: String, timeZone: TimeZone = CronSchedule.london) throws(CronError) {
        let fields = expression.split(whereSeparator: \.isWhitespace)
        guard fields.count == 5 else {
            throw CronError(
                "a cron expression has 5 fields (minute hour day-of-month month day-of-week); "
                    + "\"\(expression)\" has \(fields.count)")
        }
        self.minutes = try CronField(fields[0], as: .minute)
        self.hours = try CronField(fields[1], as: .hour)
        self.daysOfMonth = try CronField(fields[2], as: .dayOfMonth)
        self.months = try CronField(fields[3], as: .month)
        self.daysOfWeek = try CronField(fields[4], as: .dayOfWeek)
        self.expression = fields.joined(separator: " ")
        self.timeZone = timeZone
    }

    /// The expression and its zone, e.g. `30 2 * * * (Europe/London)`.
    public var description: String { "\(expression) (\(timeZone.identifier))" }

    /// The first scheduled instant strictly after `instant`, or nil if the schedule never runs again.
    ///
    /// "Strictly after" lets a scheduler pass the occurrence it has just run and get the following one. The
    /// search walks days, then the schedule's hours, then its minutes, so it costs a few checks per day
    /// however sparse the schedule is; it gives up (nil) after about eight years, which only an impossible
    /// schedule such as `0 0 31 2 *` reaches. Also nil for an instant more than 3,000 years from 1970.
    public func nextDate(after instant: Date) -> Date? {
        guard Self.isSearchable(instant) else { return nil }
        var found: Date?
        search(after: instant, lastDay: nil) { occurrence in
            found = occurrence
            return false
        }
        return found
    }

    /// Every scheduled instant in `(start, end]`, in order.
    ///
    /// At start-up the scheduler asks for the occurrences it missed while down; SPEC §6 runs them once, so
    /// a caller may take only the last. Empty when `end` is not after `start`. The caller bounds the range:
    /// `* * * * *` over a year is half a million dates. The same as calling `nextDate(after:)` from `start`
    /// until past `end`, in one pass.
    public func occurrences(after start: Date, through end: Date) -> [Date] {
        guard Self.isSearchable(start), Self.isSearchable(end) else { return [] }
        let lastDay = Self.localDay(of: Self.wholeSeconds(end), in: timeZone) + 1
        var found: [Date] = []
        search(after: start, lastDay: lastDay) { occurrence in
            guard occurrence <= end else { return false }
            found.append(occurrence)
            return true
        }
        return found
    }

    /// Calls `body` with each occurrence after `instant` in order, until it returns false, the local date
    /// `lastDay` (days since 1970) is passed, or `searchDays` pass without an occurrence.
    ///
    /// Walks days, then the schedule's hours, then its minutes; a date the date fields rule out costs one
    /// check, and the time zone is consulted once per date that can run.
    private func search(after instant: Date, lastDay: Int?, _ body: (Date) -> Bool) {
        // Occurrences are whole minutes, so "after instant" is "after the whole second it falls in".
        var previous = Self.wholeSeconds(instant)
        // Start a day early: a wall time late on the previous date can resolve to an instant after `instant`
        // when the clocks have just gone back.
        var dayNumber = Self.localDay(of: previous, in: timeZone) - 1
        var giveUpAfter = dayNumber + Self.searchDays
        let hourList = hours.values
        let minuteList = minutes.values
        while dayNumber <= min(giveUpAfter, lastDay ?? Int.max) {
            defer { dayNumber += 1 }
            let date = CalendarDate(daysSinceEpoch: dayNumber)
            guard runs(on: date) else { continue }
            let zoned = ZonedDay(date, in: timeZone)
            // Wall times resolve to instants in the same order (first occurrences; missing times to the end of
            // the gap), so keeping only those later than the previous occurrence leaves each instant once.
            // Wall times that cannot resolve later than it are skipped without being resolved.
            for hour in hourList {
                let hourStart = dayNumber * 86_400 + hour * 3_600
                guard hourStart + 59 * 60 > previous + zoned.smallestOffset else { continue }
                for minute in minuteList where hourStart + minute * 60 > previous + zoned.smallestOffset {
                    let candidate = zoned.instant(atWallSeconds: hourStart + minute * 60)
                    guard candidate > previous else { continue }
                    previous = candidate
                    giveUpAfter = dayNumber + Self.searchDays
                    guard body(Date(timeIntervalSince1970: TimeInterval(candidate))) else { return }
                }
            }
        }
    }

    /// Whether the date fields allow `date`, with Vixie cron's day-of-month / day-of-week rule.
    private func runs(on date: CalendarDate) -> Bool {
        guard months.contains(date.month) else { return false }
        let dayOfMonth = daysOfMonth.contains(date.day)
        let dayOfWeek = daysOfWeek.contains(date.isoWeekday % 7)
        if daysOfMonth.startsWithStar || daysOfWeek.startsWithStar {
            return dayOfMonth && dayOfWeek
        }
        return dayOfMonth || dayOfWeek
    }

    /// Whether an instant is within ±3,000 years of 1970 (`Date.distantPast` and `.distantFuture` are), so that
    /// whole-second arithmetic on it cannot overflow.
    private static func isSearchable(_ instant: Date) -> Bool {
        instant.timeIntervalSince1970.magnitude < 1e11
    }

    private static func wholeSeconds(_ instant: Date) -> Int {
        Int(instant.timeIntervalSince1970.rounded(.down))
    }

    /// Days since 1970-01-01 of the local date `instant` falls on in `timeZone`.
    private static func localDay(of instant: Int, in timeZone: TimeZone) -> Int {
        let wall = instant + timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
        return wall >= 0 ? wall / 86_400 : (wall - 86_399) / 86_400
    }
}

/// The England and Wales bank holidays, kept as data (the `bank_holidays` table).
public struct BankHolidays: Sendable, Hashable {
    public let dates: Set<CalendarDate>

    public init<Dates: Sequence<CalendarDate>>(_ dates: Dates) { self.dates = Set(dates) }

    public func isWorkingDay(_ date: CalendarDate) -> Bool { !date.isWeekend && !dates.contains(date) }

    /// `date` itself if it is a working day, else the next one.
    public func nextWorkingDay(onOrAfter date: CalendarDate) -> CalendarDate {
        var day = date
        while !isWorkingDay(day) { day = day.adding(days: 1) }
        return day
    }
}

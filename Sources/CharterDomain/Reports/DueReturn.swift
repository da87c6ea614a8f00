/// A quarterly return an employer still owes: its period, due date, and whether it is late on `asOf`.
public struct DueReturn: Sendable, Hashable, Codable {
    public var period: ReportingPeriod
    public var dueDate: CalendarDate
    /// Days from the report's date to the due date; negative once overdue.
    public var daysUntilDue: Int

    public init(period: ReportingPeriod, dueDate: CalendarDate, daysUntilDue: Int) {
        self.period = period
        self.dueDate = dueDate
        self.daysUntilDue = daysUntilDue
    }
}

/// A reminder that a return is coming due or overdue: one rung of the ladder (SPEC §6).
public struct ReturnReminder: Sendable, Hashable, Codable {
    /// The rungs: 14 and 3 days before the due date, 1 and 14 days after it.
    public enum Step: String, Sendable, Hashable, Codable, CaseIterable {
        case fourteenDaysBefore = "due-in-14-days"
        case threeDaysBefore = "due-in-3-days"
        case oneDayOverdue = "overdue-1-day"
        case fourteenDaysOverdue = "overdue-14-days"

        /// Days from the due date to the day this rung is sent (negative before the due date).
        public var offsetFromDueDate: Int {
            switch self {
            case .fourteenDaysBefore: -14
            case .threeDaysBefore: -3
            case .oneDayOverdue: 1
            case .fourteenDaysOverdue: 14
            }
        }
    }

    public var employerID: Int64
    public var employerName: String
    public var recipients: [ReportRecipient]
    public var due: DueReturn
    public var step: Step
    public var asOf: CalendarDate

    public init(
        employerID: Int64, employerName: String, recipients: [ReportRecipient], due: DueReturn, step: Step,
        asOf: CalendarDate
    ) {
        self.employerID = employerID
        self.employerName = employerName
        self.recipients = recipients
        self.due = due
        self.step = step
        self.asOf = asOf
    }
}

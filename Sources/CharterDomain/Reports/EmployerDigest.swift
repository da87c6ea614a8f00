/// One employer's digest: its new, changed and cleared flags (and those still open), and returns falling due.
public struct EmployerDigest: Sendable, Hashable, Codable {
    public var employerID: Int64
    public var employerName: String
    /// The employer's contacts.
    public var recipients: [ReportRecipient]
    public var flags: [ReportFlag]
    public var dueReturns: [DueReturn]
    /// The day the digest speaks for (the nightly run's date, Europe/London).
    public var asOf: CalendarDate

    public init(
        employerID: Int64, employerName: String, recipients: [ReportRecipient], flags: [ReportFlag],
        dueReturns: [DueReturn], asOf: CalendarDate
    ) {
        self.employerID = employerID
        self.employerName = employerName
        self.recipients = recipients
        self.flags = flags
        self.dueReturns = dueReturns
        self.asOf = asOf
    }
}

/// A reminder that an employer's accreditation lapses soon unless it is renewed (SPEC §10 "Renewal"):
/// one rung (90, 30 or 7 days before).
public struct AccreditationReminder: Sendable, Hashable, Codable {
    public var employerID: Int64
    public var employerName: String
    public var recipients: [ReportRecipient]
    /// The accredited pledge whose accreditation lapses.
    public var pledgeID: Int64
    public var rung: AccreditationTerm.Rung
    /// The day it lapses (the first day the employer is no longer accredited).
    public var lapseDate: CalendarDate
    /// The day the reminder was gathered.
    public var asOf: CalendarDate

    public init(
        employerID: Int64, employerName: String, recipients: [ReportRecipient], pledgeID: Int64,
        rung: AccreditationTerm.Rung, lapseDate: CalendarDate, asOf: CalendarDate
    ) {
        self.employerID = employerID
        self.employerName = employerName
        self.recipients = recipients
        self.pledgeID = pledgeID
        self.rung = rung
        self.lapseDate = lapseDate
        self.asOf = asOf
    }
}

/// The notice that an employer's accreditation lapsed without a renewal (SPEC §10 "Renewal"): the
/// accredited pledge ended on `lapseDate` and an aspiring pledge continues from that day.
public struct AccreditationLapse: Sendable, Hashable, Codable {
    public var employerID: Int64
    public var employerName: String
    public var recipients: [ReportRecipient]
    /// The accredited pledge that ended.
    public var pledgeID: Int64
    /// The aspiring pledge that continues.
    public var aspiringPledgeID: Int64
    /// The first day the employer is aspiring.
    public var lapseDate: CalendarDate
    /// The charter version the aspiring pledge is made to (its label).
    public var charterVersion: String

    public init(
        employerID: Int64, employerName: String, recipients: [ReportRecipient], pledgeID: Int64,
        aspiringPledgeID: Int64, lapseDate: CalendarDate, charterVersion: String
    ) {
        self.employerID = employerID
        self.employerName = employerName
        self.recipients = recipients
        self.pledgeID = pledgeID
        self.aspiringPledgeID = aspiringPledgeID
        self.lapseDate = lapseDate
        self.charterVersion = charterVersion
    }
}

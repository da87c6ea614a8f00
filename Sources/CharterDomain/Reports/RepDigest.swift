/// One rep's digest across every employer they cover (evidence suppressed for reps).
public struct RepDigest: Sendable, Hashable, Codable {
    /// One covered employer's part of the digest.
    public struct Employer: Sendable, Hashable, Codable {
        public var employerID: Int64
        public var employerName: String
        public var flags: [ReportFlag]

        public init(employerID: Int64, employerName: String, flags: [ReportFlag]) {
            self.employerID = employerID
            self.employerName = employerName
            self.flags = flags
        }
    }

    public var repID: Int64
    public var recipient: ReportRecipient
    /// Covered employers with something to report, by name.
    public var employers: [Employer]
    public var asOf: CalendarDate

    public init(repID: Int64, recipient: ReportRecipient, employers: [Employer], asOf: CalendarDate) {
        self.repID = repID
        self.recipient = recipient
        self.employers = employers
        self.asOf = asOf
    }
}

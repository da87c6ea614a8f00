/// One change the nightly run made (or, in a dry run, would make) to a flag.
public struct FlagChange: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case opened, reopened, cleared, waived, unwaived, updated
    }

    public var kind: Kind
    public var employerID: Int64
    public var period: String
    public var standardID: String
    public var subject: String
    public var severity: String

    public init(
        kind: Kind, employerID: Int64, period: String, standardID: String, subject: String, severity: String
    ) {
        self.kind = kind
        self.employerID = employerID
        self.period = period
        self.standardID = standardID
        self.subject = subject
        self.severity = severity
    }

    enum CodingKeys: String, CodingKey {
        case kind
        case employerID = "employer_id"
        case period
        case standardID = "standard_id"
        case subject, severity
    }
}

public import CharterDomain
public import Foundation

/// One flag as a queue lists it: whose, which standard and period, where it is in its review.
public struct FlagSummary: Sendable, Hashable, Codable {
    public var id: Int64
    public var employerID: Int64
    public var employerName: String
    /// The SPEC's standard id, e.g. `pay.real-living-wage`.
    public var standardID: String
    /// The standard's title in the charter version the flag was judged under; nil when that version
    /// has no such standard (or the flag names no version).
    public var standardTitle: String?
    public var period: ReportingPeriod
    /// Empty, or what the flag is about within the standard (e.g. a contractor's supplier name).
    public var subject: String
    public var state: FlagState
    public var severity: Severity
    public var openedAt: Date
    /// The last change to the flag: a transition, new figures, a comment or a response.
    public var updatedAt: Date

    public init(
        id: Int64, employerID: Int64, employerName: String, standardID: String, standardTitle: String?,
        period: ReportingPeriod, subject: String, state: FlagState, severity: Severity, openedAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.employerID = employerID
        self.employerName = employerName
        self.standardID = standardID
        self.standardTitle = standardTitle
        self.period = period
        self.subject = subject
        self.state = state
        self.severity = severity
        self.openedAt = openedAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id
        case employerID = "employer_id"
        case employerName = "employer_name"
        case standardID = "standard_id"
        case standardTitle = "standard_title"
        case period, subject, state, severity
        case openedAt = "opened_at"
        case updatedAt = "updated_at"
    }
}

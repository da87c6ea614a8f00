public import Foundation

/// One flag (SPEC §5): a breach the nightly run found for one employer, standard, period and subject,
/// where it is in its review, how serious it is and when it was raised and last changed.
///
/// The flag as a queue lists it (its JSON is the list row of the API); `FlagDetail` adds its evidence and
/// history, and a report lists it as a `ReportFlag`, with what changed and its evidence in words. Its
/// state changes only through `FlagTransitions`.
public struct Flag: Sendable, Hashable, Codable {
    /// What makes a flag this flag: the nightly run keeps one flag per identity, and changes it as
    /// returns are amended rather than raising another.
    public struct Identity: Sendable, Hashable {
        public var employerID: Int64
        /// The SPEC's standard id, e.g. `pay.real-living-wage`.
        public var standardID: String
        public var period: ReportingPeriod
        /// Empty, or what the flag is about within the standard.
        public var subject: String

        public init(employerID: Int64, standardID: String, period: ReportingPeriod, subject: String) {
            self.employerID = employerID
            self.standardID = standardID
            self.period = period
            self.subject = subject
        }
    }

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

    public var identity: Identity {
        Identity(employerID: employerID, standardID: standardID, period: period, subject: subject)
    }

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

/// One flag as a report lists it: what it is, where it stands, what changed, and its evidence in words.
///
/// The evidence lines are already what the recipient may read: the gatherer applies small-number
/// suppression for reps (`Evidence.forReps`) before building a rep's report.
public struct ReportFlag: Sendable, Hashable, Codable {
    /// What happened to the flag since the recipient's last report.
    public enum Change: String, Sendable, Hashable, Codable {
        case new, changed, cleared, unchanged
    }

    public var id: Int64
    public var employerID: Int64
    public var employerName: String
    public var standardID: String
    public var standardTitle: String?
    public var period: ReportingPeriod
    public var subject: String
    public var severity: Severity
    public var state: FlagState
    public var change: Change
    /// "Label: value" lines, e.g. "Workers paid below the Real Living Wage: 12".
    public var evidence: [String]

    public init(
        id: Int64, employerID: Int64, employerName: String, standardID: String, standardTitle: String?,
        period: ReportingPeriod, subject: String, severity: Severity, state: FlagState, change: Change,
        evidence: [String]
    ) {
        self.id = id
        self.employerID = employerID
        self.employerName = employerName
        self.standardID = standardID
        self.standardTitle = standardTitle
        self.period = period
        self.subject = subject
        self.severity = severity
        self.state = state
        self.change = change
        self.evidence = evidence
    }
}

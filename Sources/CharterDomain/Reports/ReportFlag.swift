import Foundation

/// One flag as a report lists it: the `Flag`, what changed since the recipient's last report, and its
/// evidence in words.
///
/// The flag's fields read directly (`reportFlag.employerName`). The evidence lines are already what the
/// recipient may read: the gatherer applies small-number suppression for reps (`Evidence.forReps`)
/// before building a rep's report.
@dynamicMemberLookup
public struct ReportFlag: Sendable, Hashable, Codable {
    /// What happened to the flag since the recipient's last report.
    public enum Change: String, Sendable, Hashable, Codable {
        case new, changed, cleared, unchanged
    }

    public var flag: Flag
    public var change: Change
    /// "Label: value" lines, e.g. "Workers paid below the Real Living Wage: 12".
    public var evidence: [String]

    public init(flag: Flag, change: Change, evidence: [String]) {
        self.flag = flag
        self.change = change
        self.evidence = evidence
    }

    public subscript<Value>(dynamicMember keyPath: KeyPath<Flag, Value>) -> Value {
        flag[keyPath: keyPath]
    }

    /// Set to `true` in an encoder's `userInfo` to leave the flag's times out: a report never tells its
    /// reader when a flag was raised or last touched, so its content digest (`Report.contentDigest`)
    /// must not change with them — a comment on a flag is no reason to send a digest again.
    public static let omitsTimes = CodingUserInfoKey(rawValue: "charterwatch.report-flag.omits-times")!

    enum CodingKeys: String, CodingKey {
        case id, employerID, employerName, standardID, standardTitle, period, subject, severity, state, change,
            evidence, openedAt, updatedAt
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        flag = Flag(
            id: try container.decode(Int64.self, forKey: .id),
            employerID: try container.decode(Int64.self, forKey: .employerID),
            employerName: try container.decode(String.self, forKey: .employerName),
            standardID: try container.decode(String.self, forKey: .standardID),
            standardTitle: try container.decodeIfPresent(String.self, forKey: .standardTitle),
            period: try container.decode(ReportingPeriod.self, forKey: .period),
            subject: try container.decode(String.self, forKey: .subject),
            state: try container.decode(FlagState.self, forKey: .state),
            severity: try container.decode(Severity.self, forKey: .severity),
            openedAt: try container.decode(Date.self, forKey: .openedAt),
            updatedAt: try container.decode(Date.self, forKey: .updatedAt))
        change = try container.decode(Change.self, forKey: .change)
        evidence = try container.decode([String].self, forKey: .evidence)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(flag.id, forKey: .id)
        try container.encode(flag.employerID, forKey: .employerID)
        try container.encode(flag.employerName, forKey: .employerName)
        try container.encode(flag.standardID, forKey: .standardID)
        try container.encodeIfPresent(flag.standardTitle, forKey: .standardTitle)
        try container.encode(flag.period, forKey: .period)
        try container.encode(flag.subject, forKey: .subject)
        try container.encode(flag.severity, forKey: .severity)
        try container.encode(flag.state, forKey: .state)
        try container.encode(change, forKey: .change)
        try container.encode(evidence, forKey: .evidence)
        if encoder.userInfo[Self.omitsTimes] as? Bool != true {
            try container.encode(flag.openedAt, forKey: .openedAt)
            try container.encode(flag.updatedAt, forKey: .updatedAt)
        }
    }
}

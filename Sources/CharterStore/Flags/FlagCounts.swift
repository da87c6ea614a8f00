import CharterDomain

/// How many flags match a filter, by severity and by state: the header of a rep's queue.
///
/// Every severity a flag can have and every state appear as keys, with 0 where none match, so a
/// page can show each one without asking whether it is there.
public struct FlagCounts: Sendable, Hashable, Codable {
    /// By `Severity` raw value: `critical`, `breach`, `warning`, `info`.
    public var bySeverity: [String: Int]
    /// By `FlagState` raw value.
    public var byState: [String: Int]
    public var total: Int

    public init(bySeverity: [String: Int], byState: [String: Int], total: Int) {
        self.bySeverity = bySeverity
        self.byState = byState
        self.total = total
    }

    /// All zero.
    public static var zero: FlagCounts {
        FlagCounts(
            bySeverity: Dictionary(
                uniqueKeysWithValues: Severity.allCases.filter { $0 != .off }.map { ($0.rawValue, 0) }),
            byState: Dictionary(uniqueKeysWithValues: FlagState.allCases.map { ($0.rawValue, 0) }), total: 0)
    }

    enum CodingKeys: String, CodingKey {
        case bySeverity = "by_severity"
        case byState = "by_state"
        case total
    }
}

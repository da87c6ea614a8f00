/// How serious a standard's breach is for a tier (SPEC §4): `critical` > `breach` > `warning` > `info`.
///
/// `off` means the standard is not evaluated for that tier; it sorts lowest so `max` of severities
/// and "at least a breach" comparisons read naturally. Raw values are the SPEC's strings.
public enum Severity: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case off, info, warning, breach, critical

    private var rank: Int {
        switch self {
        case .off: 0
        case .info: 1
        case .warning: 2
        case .breach: 3
        case .critical: 4
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

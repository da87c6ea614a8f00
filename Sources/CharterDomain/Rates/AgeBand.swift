/// A worker's National Minimum Wage age band, as a return states it.
///
/// `18` is split out of 18–20 because the apprentice rate applies to apprentices under 19.
public enum AgeBand: String, Sendable, Hashable, CaseIterable, Codable {
    case under18 = "under_18"
    case eighteen = "18"
    case nineteenToTwenty = "19_20"
    case twentyOnePlus = "21_plus"

    /// The statutory rate band for a worker who is not on the apprentice rate.
    public var minimumWageBand: MinimumWageBand {
        switch self {
        case .under18: return .under18
        case .eighteen, .nineteenToTwenty: return .eighteenToTwenty
        case .twentyOnePlus: return .twentyOnePlus
        }
    }

    /// Whether the worker is 18 or over (the Real Living Wage applies from 18).
    public var isAdult: Bool { self != .under18 }
}

/// The bands of the statutory minimum wage table.
public enum MinimumWageBand: String, Sendable, Hashable, CaseIterable, Codable {
    case twentyOnePlus = "21_plus"
    case eighteenToTwenty = "18_20"
    case under18 = "under_18"
    case apprentice
}

/// Which employers' rows a principal may see in a list, for the store to filter by.
public enum EmployerScope: Sendable, Hashable {
    /// Every employer: no filter.
    case all
    /// Only these employers (never empty; an empty set is `.none`).
    case only(Set<Int64>)
    /// The employers a rep covers (never empty), named by the rep as well, so a store can join the
    /// coverage table instead of carrying a long list of ids into every query.
    case covered(byRep: Int64, employers: Set<Int64>)
    /// No employer at all: the list is empty.
    case none

    /// Whether a row belonging to `employerID` is in scope.
    public func contains(_ employerID: Int64) -> Bool {
        switch self {
        case .all: true
        case .only(let ids), .covered(_, let ids): ids.contains(employerID)
        case .none: false
        }
    }
}

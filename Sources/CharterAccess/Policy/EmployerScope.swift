/// Which employers' rows a principal may see in a list, for the store to filter by.
public enum EmployerScope: Sendable, Hashable {
    /// Every employer: no filter.
    case all
    /// Only these employers (never empty; an empty set is `.none`).
    case only(Set<Int64>)
    /// No employer at all: the list is empty.
    case none

    /// Whether a row belonging to `employerID` is in scope.
    public func contains(_ employerID: Int64) -> Bool {
        switch self {
        case .all: true
        case .only(let ids): ids.contains(employerID)
        case .none: false
        }
    }
}

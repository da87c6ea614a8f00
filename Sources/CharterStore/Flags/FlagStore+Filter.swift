import CharterAccess
public import CharterDomain
import PGClient

extension FlagStore {
    /// Which flags a list or count is about; every field left nil matches everything.
    public struct Filter: Sendable, Hashable {
        public var employerID: Int64?
        /// A SPEC standard id, e.g. `pay.real-living-wage`.
        public var standardID: String?
        public var severity: Severity?
        public var state: FlagState?
        public var period: ReportingPeriod?

        public init(
            employerID: Int64? = nil, standardID: String? = nil, severity: Severity? = nil, state: FlagState? = nil,
            period: ReportingPeriod? = nil
        ) {
            self.employerID = employerID
            self.standardID = standardID
            self.severity = severity
            self.state = state
            self.period = period
        }

        /// The SQL condition on `flags f` for this filter within `visible`, or nil when nothing can
        /// match (`.none`): the scope is applied by PostgreSQL, never after the rows are read.
        func condition(visible: EmployerScope) -> PGQuery? {
            var condition: PGQuery = "TRUE"
            switch visible {
            case .all: break
            case .only(let employerIDs): condition.append(" AND f.employer_id = ANY(\(employerIDs.sorted())::bigint[])")
            case .covered(let repID, _):
                // Joined in SQL: a rep may cover a thousand employers, and a list of a thousand ids costs
                // the planner more than the query (it estimates such a list element by element).
                condition.append(
                    " AND EXISTS (SELECT 1 FROM rep_coverage c WHERE c.rep_id = \(repID) AND c.employer_id = f.employer_id)"
                )
            case .none: return nil
            }
            // Only the fields that are set, so the planner sees plain equalities it can match to an index.
            if let employerID { condition.append(" AND f.employer_id = \(employerID)") }
            if let standardID { condition.append(" AND f.standard_id = \(standardID)") }
            if let severity { condition.append(" AND f.severity = \(severity.rawValue)") }
            if let state { condition.append(" AND f.state = \(state.rawValue)") }
            if let period { condition.append(" AND f.period = \(period.description)") }
            return condition
        }
    }
}

/// How much of the charter's outcome figures (SPEC §11) someone sees.
public enum OutcomesView: Sendable, Hashable {
    /// Every figure: the charter team and viewers everywhere, an employer for its own figures.
    case full
    /// Figures drawn from fewer than 5 workers (or, for a group of employers, fewer than 3 employers)
    /// withheld: the public, and reps.
    case suppressed
    /// Not shown at all: another employer's own figures.
    case denied
}

extension AccessPolicy {
    /// How the region's outcomes and their breakdowns are shown to `principal` (nil: the public, not
    /// signed in). The charter team and viewers see them in full; everyone else, suppressed.
    public static func outcomesView(_ principal: Principal?) -> OutcomesView {
        guard let principal, decide(principal, .readOutcomes, employerID: nil).isAllowed else { return .suppressed }
        return .full
    }

    /// How one employer's own outcomes are shown to `principal`: in full to the charter team, viewers
    /// and the employer itself; suppressed to a rep covering it (as flag evidence is); to no one else.
    public static func outcomesView(_ principal: Principal?, employerID: Int64) -> OutcomesView {
        guard let principal, decide(principal, .readOutcomes, employerID: employerID).isAllowed else { return .denied }
        return seesWorkerDetail(principal) ? .full : .suppressed
    }
}

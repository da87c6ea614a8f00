/// Where a flag is in its review (SPEC §5).
public enum FlagState: String, Sendable, Hashable, CaseIterable, Codable {
    /// Raised by the nightly run; waiting for a rep.
    case open
    /// A rep has seen it.
    case acknowledged
    /// The employer contests it (with a note); a rep resolves or reopens it.
    case disputed
    /// Closed by a rep or admin, with a note.
    case resolved
    /// Closed by the system: an amended return no longer shows the breach.
    case cleared
    /// Covered by an exemption: still visible, never emailed as a new breach.
    case waived

    /// Still asking for someone's attention.
    public var isActive: Bool { self == .open || self == .acknowledged || self == .disputed }
}

/// Who acts on a flag.
public enum FlagActorRole: String, Sendable, Hashable, CaseIterable, Codable {
    case admin, rep, employer
    /// The nightly run and exemptions.
    case system
}

/// Everything that can be done to a flag.
public enum FlagAction: String, Sendable, Hashable, CaseIterable, Codable {
    case acknowledge, resolve, dispute, reopen, comment, respond
    /// The system: the breach is gone from the latest return.
    case clear
    /// The system: a cleared breach is back in a newer return version.
    case reappear
    /// The system: an exemption now covers the flag.
    case waive
    /// The system: the exemption covering the flag was revoked or expired.
    case unwaive
}

/// The one place that decides which actions are allowed on a flag, by whom, and what state follows.
///
/// Every writer of a flag's state takes the state from here: a person's action (`FlagStore.act`), the
/// nightly run (`FlagWriter`) and exemptions (`NightlyCompliance`, through `moves(of:by:)`). A test holds
/// that no other code writes `flags.state`.
public enum FlagTransitions {
    /// The state the nightly run raises a new flag in.
    public static let raised: FlagState = .open

    /// Each state `action` by `role` may start from, with the state that follows, in `FlagState`'s order.
    ///
    /// For a writer that changes many flags in one statement (exemptions waive and unwaive flags in
    /// sets): it binds these pairs rather than spelling out states of its own. A note is taken as given,
    /// so actions that need one are listed as allowed.
    public static func moves(of action: FlagAction, by role: FlagActorRole) -> [(from: FlagState, to: FlagState)] {
        FlagState.allCases.compactMap { from in
            (try? apply(action, to: from, by: role, note: "(set-based change)")).map { (from, $0) }
        }
    }

    /// The state after `action` by `role` on a flag in `state`, or an error saying why not.
    ///
    /// A note is required to resolve, dispute or reopen, and for a comment or response.
    public static func apply(
        _ action: FlagAction, to state: FlagState, by role: FlagActorRole, note: String?
    ) throws(CharterDomainError) -> FlagState {
        let hasNote = !(note ?? "").trimmingSpaces.isEmpty
        func refuse(_ why: String) -> CharterDomainError {
            CharterDomainError(
                .flagTransitionRefused, "cannot \(action.rawValue) a flag that is \(state.rawValue): \(why)")
        }
        func requireNote() throws(CharterDomainError) {
            guard hasNote else { throw refuse("a note saying why is required") }
        }
        let people: Set<FlagActorRole> = [.admin, .rep]
        switch action {
        case .acknowledge:
            guard people.contains(role) else { throw refuse("only a rep or an admin acknowledges a flag") }
            guard state == .open else { throw refuse("only an open flag can be acknowledged") }
            return .acknowledged
        case .resolve:
            guard people.contains(role) else { throw refuse("only a rep or an admin resolves a flag") }
            guard state.isActive else { throw refuse("only an open, acknowledged or disputed flag can be resolved") }
            try requireNote()
            return .resolved
        case .dispute:
            guard role == .employer else { throw refuse("only the employer disputes a flag") }
            guard state == .open || state == .acknowledged else {
                throw refuse("only an open or acknowledged flag can be disputed")
            }
            try requireNote()
            return .disputed
        case .reopen:
            guard people.contains(role) else { throw refuse("only a rep or an admin reopens a flag") }
            guard state == .resolved || state == .disputed else {
                throw refuse("only a resolved or disputed flag can be reopened")
            }
            try requireNote()
            return .open
        case .comment:
            guard role != .system else { throw refuse("comments come from people") }
            try requireNote()
            return state
        case .respond:
            guard role == .employer else { throw refuse("only the employer responds with an explanation") }
            guard state.isActive else { throw refuse("only an open, acknowledged or disputed flag takes a response") }
            try requireNote()
            return state
        case .clear:
            guard role == .system else { throw refuse("only the nightly run clears a flag") }
            guard state.isActive else { throw refuse("only an open, acknowledged or disputed flag is cleared") }
            return .cleared
        case .reappear:
            guard role == .system else { throw refuse("only the nightly run reopens a reappearing breach") }
            guard state == .cleared else { throw refuse("only a cleared flag can reappear") }
            return .open
        case .waive:
            guard role == .system else { throw refuse("flags are waived by granting an exemption") }
            guard state.isActive || state == .cleared else { throw refuse("a closed flag needs no exemption") }
            return .waived
        case .unwaive:
            guard role == .system else { throw refuse("flags are unwaived by revoking an exemption") }
            guard state == .waived else { throw refuse("only a waived flag can be unwaived") }
            return .open
        }
    }
}

public import CharterDomain
public import Foundation

/// One entry in a flag's history (its opening, then `flag_events`): who did what, when, from which state to which.
public struct FlagEvent: Sendable, Hashable, Codable {
    /// What happened to the flag; the kinds `flag_events` allows.
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        /// The nightly run raised it (kept on the flag row, not in `flag_events`: migration 0028).
        case opened
        /// Its state changed (a person's action, the nightly run, an exemption).
        case transition
        /// A person commented; the state stays.
        case comment
        /// The employer answered with an explanation (and maybe an action plan); the state stays.
        case response
        /// The nightly run updated its figures.
        case evidence
    }

    public var id: Int64
    public var at: Date
    /// `user:12`, `token:ab12cd34`, `charterctl:…` or the nightly run.
    public var actor: String
    public var kind: Kind
    public var fromState: FlagState?
    public var toState: FlagState?
    public var note: String?

    public init(
        id: Int64, at: Date, actor: String, kind: Kind, fromState: FlagState?, toState: FlagState?, note: String?
    ) {
        self.id = id
        self.at = at
        self.actor = actor
        self.kind = kind
        self.fromState = fromState
        self.toState = toState
        self.note = note
    }

    enum CodingKeys: String, CodingKey {
        case id, at, actor, kind
        case fromState = "from_state"
        case toState = "to_state"
        case note
    }
}

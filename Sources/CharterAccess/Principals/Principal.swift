public import CharterDomain

/// Who is acting on a request: a signed-in user or an API token, with what binds its role.
///
/// A principal can only be built with the bindings its role needs — an employer principal has exactly
/// one employer, a rep principal a rep and the employers that rep covers, admins and viewers neither —
/// so `AccessPolicy` never meets a half-bound principal (the same rule as the `CHECK`s on `users` and
/// `api_tokens`).
public struct Principal: Sendable, Hashable {
    /// What the principal may do.
    public let role: Role
    /// The one employer an `employer` principal belongs to; nil for every other role.
    public let employerID: Int64?
    /// The rep a `rep` principal acts as; nil for every other role.
    public let repID: Int64?
    /// The employers a `rep` principal covers (`rep_coverage`), read when the request starts; empty for
    /// every other role.
    public let coveredEmployerIDs: Set<Int64>
    /// Who to name in the audit log: `user:12` or `token:ab12cd34` (see `Principal.userActor(_:)`).
    public let actor: String

    /// A principal from a stored user or token row, refusing bindings that do not fit the role.
    ///
    /// - Throws: `CharterAccessError.Code.inconsistentPrincipal` when an employer principal has no
    ///   employer id, a rep principal no rep id, or any role carries a binding that belongs to another.
    public init(
        role: Role, employerID: Int64? = nil, repID: Int64? = nil, coveredEmployerIDs: Set<Int64> = [],
        actor: String
    ) throws(CharterAccessError) {
        func refuse(_ why: String) -> CharterAccessError {
            CharterAccessError(.inconsistentPrincipal, "\(actor) cannot act as \(role.rawValue): \(why)")
        }
        switch role {
        case .employer:
            guard employerID != nil else { throw refuse("an employer principal needs its employer") }
            guard repID == nil, coveredEmployerIDs.isEmpty else {
                throw refuse("an employer principal has no rep or coverage")
            }
        case .rep:
            guard repID != nil else { throw refuse("a rep principal needs its rep") }
            guard employerID == nil else { throw refuse("a rep principal is not bound to one employer") }
        case .admin, .viewer:
            guard employerID == nil, repID == nil, coveredEmployerIDs.isEmpty else {
                throw refuse("\(role == .admin ? "an admin" : "a viewer") principal is bound to no employer or rep")
            }
        }
        self.init(
            bound: role, employerID: employerID, repID: repID, coveredEmployerIDs: coveredEmployerIDs, actor: actor)
    }

    /// A member of the charter team.
    public static func admin(actor: String) -> Principal {
        Principal(bound: .admin, employerID: nil, repID: nil, coveredEmployerIDs: [], actor: actor)
    }

    /// A read-only principal across all employers.
    public static func viewer(actor: String) -> Principal {
        Principal(bound: .viewer, employerID: nil, repID: nil, coveredEmployerIDs: [], actor: actor)
    }

    /// HR or payroll of one employer.
    public static func employer(_ employerID: Int64, actor: String) -> Principal {
        Principal(bound: .employer, employerID: employerID, repID: nil, coveredEmployerIDs: [], actor: actor)
    }

    /// A union rep covering `coveredEmployerIDs`.
    public static func rep(_ repID: Int64, covering coveredEmployerIDs: Set<Int64>, actor: String) -> Principal {
        Principal(bound: .rep, employerID: nil, repID: repID, coveredEmployerIDs: coveredEmployerIDs, actor: actor)
    }

    /// For the factories above, whose signatures already bind each role as it must be.
    private init(bound role: Role, employerID: Int64?, repID: Int64?, coveredEmployerIDs: Set<Int64>, actor: String) {
        self.role = role
        self.employerID = employerID
        self.repID = repID
        self.coveredEmployerIDs = coveredEmployerIDs
        self.actor = actor
    }

    /// The audit actor for a signed-in user: `user:12`.
    public static func userActor(_ userID: Int64) -> String { "user:\(userID)" }

    /// The signed-in user's id when the principal is a user (`user:12`); nil for an API token.
    public var userID: Int64? { actor.hasPrefix("user:") ? Int64(actor.dropFirst("user:".count)) : nil }

    /// The audit actor for an API token, named by its public prefix: `token:ab12cd34`.
    public static func tokenActor(prefix: String) -> String { "token:\(prefix)" }

    /// How `FlagTransitions` knows this principal; nil for a viewer, who never acts on a flag.
    public var flagActorRole: FlagActorRole? {
        switch role {
        case .admin: .admin
        case .rep: .rep
        case .employer: .employer
        case .viewer: nil
        }
    }
}

/// What `AccessPolicy` answers: go ahead, or no and why.
public enum AccessDecision: Sendable, Hashable {
    case allowed
    /// Refused; the reason is one sentence fit to show the caller. It names roles and actions, never
    /// another employer's data, so it reveals nothing the caller may not see.
    case denied(reason: String)

    /// Whether the action may go ahead.
    public var isAllowed: Bool {
        if case .allowed = self { return true }
        return false
    }
}

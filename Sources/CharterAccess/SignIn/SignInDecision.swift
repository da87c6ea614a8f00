public import Foundation

/// Whether a sign-in attempt may be checked now.
public enum SignInDecision: Sendable, Hashable {
    /// Check the password.
    case allowed
    /// Too many recent failures: refuse without checking the password until `until`.
    case throttled(until: Date)

    /// Whether the password may be checked now.
    public var isAllowed: Bool { self == .allowed }
}

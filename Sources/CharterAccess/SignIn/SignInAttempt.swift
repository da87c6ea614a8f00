public import Foundation

/// One past sign-in attempt, as recorded in `sign_in_attempts`.
public struct SignInAttempt: Sendable, Hashable {
    /// The email the attempt signed in as (compared without regard to case).
    public var email: String
    /// When it happened.
    public var at: Date
    /// Whether the password was right.
    public var succeeded: Bool

    public init(email: String, at: Date, succeeded: Bool) {
        self.email = email
        self.at = at
        self.succeeded = succeeded
    }
}

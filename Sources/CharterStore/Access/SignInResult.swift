public import CharterAccess
public import Foundation

/// What `UserStore.signIn` answers: a new session, or a refusal to show the person.
public enum SignInResult: Sendable {
    case signedIn(SignedInSession)
    case refused(SignInRefusal)
}

/// A session just begun: the cookie to set and the CSRF token for the pages' forms.
///
/// The cookie value exists only here and in the browser; the database keeps its SHA-256.
/// `description` shows neither secret.
public struct SignedInSession: Sendable, CustomStringConvertible {
    public let userID: Int64
    public let displayName: String
    /// The session cookie's value.
    public let token: SessionToken
    public let csrfToken: CSRFToken
    public let expiresAt: Date

    /// The `Set-Cookie` value that hands this session to the browser until it expires.
    public func cookie(now: Date = Date(), name: String = SessionCookie.defaultName) -> SessionCookie {
        SessionCookie(name: name, token: token, maxAge: max(0, Int(expiresAt.timeIntervalSince(now))))
    }

    public var description: String { "session of user \(userID) until \(expiresAt.formatted(.iso8601))" }
}

/// Why a sign-in was refused, with the sentence to show.
public struct SignInRefusal: Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable, Hashable {
        /// The email is unknown or the password is wrong — deliberately the same answer.
        case wrongEmailOrPassword
        /// Too many recent failures for the email or from the address; see `retryAfter`.
        case throttled
        /// The password was right but the account is disabled.
        case disabled
    }

    public let reason: Reason
    /// When the next attempt may be checked (throttled only).
    public let retryAfter: Date?
    /// One sentence for the sign-in page.
    public let message: String

    static let wrongEmailOrPassword = SignInRefusal(
        reason: .wrongEmailOrPassword, retryAfter: nil, message: "The email or password is not right.")

    static let disabled = SignInRefusal(
        reason: .disabled, retryAfter: nil,
        message: "This account is disabled; ask the charter team to enable it again.")

    static func throttled(until: Date, now: Date) -> SignInRefusal {
        let minutes = max(1, Int((until.timeIntervalSince(now) / 60).rounded(.up)))
        return SignInRefusal(
            reason: .throttled, retryAfter: until,
            message: "Too many failed sign-ins; try again in \(minutes) minute\(minutes == 1 ? "" : "s").")
    }

    public var description: String { message }
}

/// The per-session token a form must echo back, so another site cannot post on the user's behalf.
///
/// 256 random bits as 43 characters of base64url, stored with the session (`sessions.csrf_token`) and
/// put in a hidden field of every form. `description` hides it.
public struct CSRFToken: Sendable, Hashable, CustomStringConvertible {
    /// The token text, for the session row and the form field.
    public let text: String

    /// Characters in a CSRF token (32 bytes in unpadded base64url).
    public static let length = 43

    /// A fresh token from the system's secure random generator.
    public static func generate() -> CSRFToken {
        CSRFToken(checked: Base64URL.encode(RandomBytes.generate(count: 32)))
    }

    /// The token as stored with a session, or nil when the text cannot be one.
    public init?(_ text: String) {
        guard Base64URL.isEncoded(text, length: Self.length) else { return nil }
        self.text = text
    }

    private init(checked text: String) { self.text = text }

    /// Whether a submitted form value is this token, compared in constant time; false when absent.
    public func matches(_ submitted: String?) -> Bool {
        guard let submitted else { return false }
        return ConstantTime.equals(Array(text.utf8), Array(submitted.utf8))
    }

    public var description: String { "CSRFToken(…)" }
}

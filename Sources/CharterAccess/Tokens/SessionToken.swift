import Crypto

/// The secret in a web session cookie: 256 random bits, stored only as its SHA-256 (`sessions.id_hash`).
///
/// The text is 43 characters of base64url, which a cookie value may hold without quoting.
/// `description` hides it, so logging a session by accident does not leak it.
public struct SessionToken: Sendable, Hashable, CustomStringConvertible {
    /// The cookie value.
    public let text: String

    /// Characters in a session token (32 bytes in unpadded base64url).
    public static let length = 43

    private init(text: String) { self.text = text }

    /// A fresh token from the system's secure random generator.
    public static func generate() -> SessionToken {
        SessionToken(text: Base64URL.encode(RandomBytes.generate(count: 32)))
    }

    /// The token from a request's cookie, or nil when the value cannot be one (so junk never reaches
    /// the database).
    public init?(cookieValue: String) {
        guard Base64URL.isEncoded(cookieValue, length: Self.length) else { return nil }
        self.text = cookieValue
    }

    /// The SHA-256 of the token text: what the database stores and looks sessions up by.
    public var storageHash: [UInt8] { Array(SHA256.hash(data: Array(text.utf8))) }

    public var description: String { "SessionToken(…)" }
}

import Crypto

/// An API token for payroll systems and scripts (SPEC §8): shown once, stored only as a hash.
///
/// The text is `cw_<prefix>_<secret>`: `cw_` says what it is (secret scanners and people recognise
/// it), the 8-character prefix is stored in clear to find the row and to name the token in the audit
/// log (`token:<prefix>`), and the 52-character secret carries 260 random bits. Both parts use the
/// lower-case base32 alphabet (`a`–`z`, `2`–`7`), so a token survives double-click selection, URLs
/// and case-insensitive transcription checks. The prefix's 40 bits make a clash between two tokens
/// rare but possible; `api_tokens.prefix` is unique, so on a clash the insert fails and the caller
/// generates another.
///
/// `description` shows only the prefix, so logging a token by accident does not leak it.
public struct APIToken: Sendable, Hashable, CustomStringConvertible {
    /// The whole token, to show its owner once and then forget.
    public let text: String

    /// What every token starts with.
    public static let marker = "cw_"
    /// Characters in the public prefix.
    public static let prefixLength = 8
    /// Characters in the secret part: 52 × 5 = 260 random bits.
    public static let secretLength = 52

    private init(text: String) { self.text = text }

    /// A fresh token from the system's secure random generator.
    public static func generate() -> APIToken {
        let prefix = randomBase32(count: prefixLength)
        let secret = randomBase32(count: secretLength)
        return APIToken(text: "\(marker)\(prefix)_\(secret)")
    }

    /// The public prefix that finds the token's row (`api_tokens.prefix`).
    public var prefix: String { Self.parse(text)!.prefix }  // A generated token always parses.

    /// The SHA-256 of the whole token, for `api_tokens.token_hash`.
    public var hash: [UInt8] { Self.hash(text) }

    public var description: String { "\(Self.marker)\(prefix)_…" }

    /// The prefix and secret of a token in the exact format `generate()` makes, or nil for anything
    /// else (wrong marker, lengths or characters, surrounding spaces).
    public static func parse(_ text: String) -> (prefix: String, secret: String)? {
        let bytes = Array(text.utf8)
        let markerBytes = Array(marker.utf8)
        let prefixEnd = markerBytes.count + prefixLength
        guard bytes.count == prefixEnd + 1 + secretLength,
            bytes.starts(with: markerBytes),
            bytes[prefixEnd] == UInt8(ascii: "_")
        else { return nil }
        let prefix = bytes[markerBytes.count..<prefixEnd]
        let secret = bytes[(prefixEnd + 1)...]
        guard prefix.allSatisfy(isBase32), secret.allSatisfy(isBase32) else { return nil }
        return (String(decoding: prefix, as: UTF8.self), String(decoding: secret, as: UTF8.self))
    }

    /// The SHA-256 of the whole token text, as stored.
    public static func hash(_ text: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(text.utf8)))
    }

    /// Whether `text` is a well-formed token whose hash is `storedHash`, compared in constant time.
    public static func verify(_ text: String, against storedHash: [UInt8]) -> Bool {
        guard parse(text) != nil else { return false }
        return ConstantTime.equals(hash(text), storedHash)
    }

    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    private static func isBase32(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "2")...UInt8(ascii: "7")).contains(byte)
    }

    /// `count` characters drawn uniformly from the 32-letter alphabet: each random byte's low 5 bits
    /// (256 is a multiple of 32, so no letter is likelier than another).
    private static func randomBase32(count: Int) -> String {
        String(decoding: RandomBytes.generate(count: count).map { alphabet[Int($0 & 31)] }, as: UTF8.self)
    }
}

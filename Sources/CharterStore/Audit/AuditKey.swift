import Crypto

/// The secret the audit chain's hashes are keyed with (`CHARTERD_AUDIT_KEY`, SPEC §8).
///
/// Each audit row's hash is HMAC-SHA256 under this key over the previous row's hash and the row's
/// canonical content. The key is held outside the database — in charterd's and charterctl's settings,
/// or for the embedded default in the state directory — so a database superuser who rewrites rows cannot
/// recompute hashes that verify.
///
/// Written as hex, at least 64 digits (32 random bytes, the size of the hash: a shorter key would be
/// the weak part), as `openssl rand -hex 32` prints it. `description` shows only a fingerprint prefix,
/// so the key cannot reach a log through string interpolation.
public struct AuditKey: Sendable, Equatable, CustomStringConvertible {
    /// The fewest key bytes accepted.
    public static let minimumBytes = 32

    private let bytes: [UInt8]

    /// Parses a key written as hex digits; surrounding whitespace (a file's last line break) is ignored.
    ///
    /// Throws `CharterStoreError(.invalid, …)` whose message completes a sentence that starts with the
    /// setting's name ("must be …"), and never quotes the value: it is a secret even when malformed.
    public init(hex text: String) throws {
        let utf8 = Array(text.utf8)
        let isSpace: (UInt8) -> Bool = { [0x20, 0x09, 0x0a, 0x0d].contains($0) }
        let start = utf8.firstIndex { !isSpace($0) } ?? utf8.endIndex
        let end = utf8.lastIndex { !isSpace($0) }.map { $0 + 1 } ?? start
        let trimmed = utf8[start..<end]
        let example = "e.g. from `openssl rand -hex 32`"
        var parsed: [UInt8] = []
        parsed.reserveCapacity(trimmed.count / 2)
        for (offset, digit) in trimmed.enumerated() {
            guard let value = Self.hexValue(digit) else {
                throw CharterStoreError(
                    .invalid,
                    "must be hex digits only (0-9, a-f), \(example); character \(offset + 1) is not a hex digit")
            }
            if offset % 2 == 0 {
                parsed.append(value << 4)
            } else {
                parsed[parsed.count - 1] |= value
            }
        }
        guard trimmed.count % 2 == 0 else {
            throw CharterStoreError(
                .invalid, "must be an even number of hex digits (two per byte), \(example); it has \(trimmed.count)")
        }
        guard parsed.count >= Self.minimumBytes else {
            throw CharterStoreError(
                .invalid,
                "must be at least \(Self.minimumBytes * 2) hex digits (\(Self.minimumBytes) random bytes), \(example);"
                    + " it has \(trimmed.count)")
        }
        bytes = parsed
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// A new key of 32 bytes from the system's cryptographic random source.
    public static func random() -> AuditKey {
        var generator = SystemRandomNumberGenerator()
        return AuditKey(bytes: (0..<minimumBytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// The key as lowercase hex, the form the settings take: for writing the embedded default's key file.
    public var hex: String { AuditTrail.hex(bytes) }

    /// HMAC-SHA256 of a fixed label under the key: names the key (the database keeps it in
    /// `audit_head.key_fingerprint`, so a process with another key refuses to write) without revealing it.
    public var fingerprint: [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array("CharterWatch audit key fingerprint".utf8), using: symmetric))
    }

    /// An audit row's hash: HMAC-SHA256 under the key of `previous || UTF-8(canonical)`, the same input
    /// the unkeyed chain hashed with plain SHA-256.
    func rowHash(previous: [UInt8], canonical: String) -> [UInt8] {
        var mac = HMAC<SHA256>(key: symmetric)
        mac.update(data: previous)
        mac.update(data: Array(canonical.utf8))
        return Array(mac.finalize())
    }

    /// The hash a row written before the chain was keyed carries: SHA-256 of the same input.
    static func unkeyedRowHash(previous: [UInt8], canonical: String) -> [UInt8] {
        var hash = SHA256()
        hash.update(data: previous)
        hash.update(data: Array(canonical.utf8))
        return Array(hash.finalize())
    }

    public var description: String { "audit key \(AuditTrail.hex(Array(fingerprint.prefix(4))))…" }

    private var symmetric: SymmetricKey { SymmetricKey(data: bytes) }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// A Message-ID, `<id-left@id-right>` (RFC 5322 §3.6.4).
///
/// Unique ids let recipients' clients thread and deduplicate digests and let the outbox recognise a
/// message it already sent. Both halves are dot-atoms; the whole is at most 250 characters so the
/// header always fits a line.
public struct MessageID: Sendable, Hashable, CustomStringConvertible {
    public let left: String
    public let right: String

    public init(left: String, right: String) throws(MailError) {
        guard HeaderText.isDotAtom(left), HeaderText.isDotAtom(right), left.utf8.count + right.utf8.count <= 247
        else {
            throw MailError(
                .invalidMessageID,
                "A Message-ID must be <left@right> with both sides ASCII dot-atoms, at most 250 characters.")
        }
        self.left = left
        self.right = right
    }

    /// A fresh id: 128 random bits in hex on the left, the sending domain on the right, so two
    /// messages never share one even when many instances send at once.
    public static func random(domain: String) throws(MailError) -> MessageID {
        var generator = SystemRandomNumberGenerator()
        return try random(domain: domain, using: &generator)
    }

    /// A fresh id drawing its 128 bits from `generator`; tests pass a seeded one.
    public static func random(
        domain: String, using generator: inout some RandomNumberGenerator
    ) throws(MailError) -> MessageID {
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return try MessageID(left: hex(high) + hex(low), right: domain)
    }

    /// `<left@right>`, as in the header.
    public var description: String { "<\(left)@\(right)>" }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

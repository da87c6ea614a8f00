public import Foundation

/// Turns a ``MailMessage`` into the bytes of an RFC 5322 message, ready for SMTP `DATA` or an `.eml`.
///
/// The layout is always the same, so every CharterWatch mail looks alike to filters and parsers:
///
/// ```
/// multipart/mixed
/// ├── multipart/alternative
/// │   ├── text/plain; charset=utf-8   (quoted-printable)
/// │   └── text/html; charset=utf-8    (quoted-printable)
/// └── attachments                     (base64), if any
/// ```
///
/// Every line ends in CRLF, no line exceeds 998 octets and header lines are folded to at most 78
/// characters where a line can be broken. Given the same message, time zone and boundaries the output
/// is the same byte for byte, which is what lets tests and `charterctl reports preview` compare it.
public struct MailRenderer: Sendable {
    /// The zone the Date header is written in. Default: Europe/London (GMT or BST), what the charter's
    /// readers live in.
    public var timeZone: TimeZone
    /// The MIME boundary for a multipart: called with 0 for the outer `multipart/mixed` and 1 for the
    /// inner `multipart/alternative`. Default: ``randomBoundary(_:)``.
    public var boundary: @Sendable (_ part: Int) -> String

    public init(
        timeZone: TimeZone = MailRenderer.london,
        boundary: @escaping @Sendable (_ part: Int) -> String = MailRenderer.randomBoundary
    ) {
        self.timeZone = timeZone
        self.boundary = boundary
    }

    /// Europe/London, or UTC where the system has no time-zone data.
    public static let london = TimeZone(identifier: "Europe/London") ?? TimeZone(secondsFromGMT: 0)!

    /// `=_` followed by 128 random bits in hex and the part number.
    ///
    /// The `=_` start means the boundary can never occur in our content: quoted-printable always
    /// escapes `=` as `=3D` (a bare `=` only ends a line), and base64 has `=` only as padding at a
    /// line's end. The random bits keep it unique across messages that are nested or forwarded.
    public static func randomBoundary(_ part: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let bits = (0..<2).map { _ in
            let digits = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return "=_\(bits.joined())_\(part)"
    }

    /// The message's bytes.
    ///
    /// - Throws: ``MailError`` with `.noRecipients` for an empty To list, `.headerInjection` or
    ///   `.invalidHeaderValue` for a subject with a line break or control character, and
    ///   `.invalidBoundary` when the boundary generator returns unusable boundaries.
    public func render(_ message: MailMessage) throws(MailError) -> [UInt8] {
        guard !message.to.isEmpty else {
            throw MailError(.noRecipients, "A message needs at least one To address.")
        }
        try HeaderText.check(message.subject, field: "subject")
        let mixed = boundary(0)
        let alternative = boundary(1)
        try Self.checkBoundaries(mixed, alternative)

        var out: [UInt8] = []
        out += Self.addressField("From", [message.from])
        out += Self.addressField("To", message.to)
        if let replyTo = message.replyTo { out += Self.addressField("Reply-To", [replyTo]) }
        out +=
            HeaderField(name: "Subject", tokens: HeaderField.unstructuredTokens(message.subject, name: "Subject"))
            .bytes
        out += HeaderField(name: "Date", tokens: [MailDate.format(message.date, timeZone: timeZone)]).bytes
        out += HeaderField(name: "Message-ID", tokens: [message.messageID.description]).bytes
        for header in message.headers {
            out +=
                HeaderField(name: header.name, tokens: HeaderField.unstructuredTokens(header.value, name: header.name))
                .bytes
        }
        out += HeaderField(name: "MIME-Version", tokens: ["1.0"]).bytes
        out += HeaderField(name: "Content-Type", tokens: ["multipart/mixed;", "boundary=\"\(mixed)\""]).bytes
        out += crlf

        let text = QuotedPrintable.encode(message.textBody)
        let html = QuotedPrintable.encode(message.htmlBody)
        for body in [text, html] {
            try Self.checkAbsent([mixed, alternative], in: body)
        }

        out += delimiter(mixed)
        out +=
            HeaderField(name: "Content-Type", tokens: ["multipart/alternative;", "boundary=\"\(alternative)\""])
            .bytes
        out += crlf
        for (subtype, body) in [("plain", text), ("html", html)] {
            out += delimiter(alternative)
            out += HeaderField(name: "Content-Type", tokens: ["text/\(subtype);", "charset=utf-8"]).bytes
            out += HeaderField(name: "Content-Transfer-Encoding", tokens: ["quoted-printable"]).bytes
            out += crlf
            out += body
            out += crlf
        }
        out += Array("--\(alternative)--".utf8) + crlf

        for attachment in message.attachments {
            out += delimiter(mixed)
            out +=
                HeaderField(name: "Content-Type", tokens: attachment.contentType.split(separator: " ").map(String.init))
                .bytes
            out += HeaderField(name: "Content-Transfer-Encoding", tokens: ["base64"]).bytes
            let parameters = FilenameParameter.parameters(for: attachment.filename)
            let tokens = ["attachment"] + parameters
            out +=
                HeaderField(
                    name: "Content-Disposition",
                    tokens: tokens.indices.map { tokens[$0] + ($0 < tokens.count - 1 ? ";" : "") }
                ).bytes
            out += crlf
            out += Base64.encodeLines(attachment.data)
            out += crlf
        }
        out += Array("--\(mixed)--".utf8) + crlf
        return out
    }

    private var crlf: [UInt8] { [0x0D, 0x0A] }

    private func delimiter(_ boundary: String) -> [UInt8] {
        Array("--\(boundary)".utf8) + crlf
    }

    /// From, To or Reply-To: mailboxes separated by commas, folded between tokens.
    private static func addressField(_ name: String, _ addresses: [MailAddress]) -> [UInt8] {
        var tokens: [String] = []
        for (index, address) in addresses.enumerated() {
            let limit = tokens.isEmpty ? HeaderField.firstTokenLimit(name: name) : EncodedWord.maximumLength
            var own = address.headerTokens(firstTokenLimit: limit)
            if index < addresses.count - 1 { own[own.count - 1] += "," }
            tokens += own
        }
        return HeaderField(name: name, tokens: tokens).bytes
    }

    /// RFC 2046 §5.1.1: 1–70 characters from `bchars` (we also leave out space, which needs quoting
    /// care and buys nothing), and since one multipart sits inside the other, neither boundary may be
    /// a prefix of the other — a line `--outer…` must never be read as the inner delimiter or back.
    private static func checkBoundaries(_ outer: String, _ inner: String) throws(MailError) {
        let allowed = Array("'()+_,-./:=?".utf8)
        for boundary in [outer, inner] {
            let valid =
                (1...70).contains(boundary.utf8.count)
                && boundary.utf8.allSatisfy { byte in
                    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                        || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                        || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || allowed.contains(byte)
                }
            guard valid else {
                throw MailError(
                    .invalidBoundary,
                    "A MIME boundary must be 1–70 characters of letters, digits and '()+_,-./:=?.")
            }
        }
        guard !outer.hasPrefix(inner), !inner.hasPrefix(outer) else {
            throw MailError(.invalidBoundary, "The two MIME boundaries must differ and neither may begin the other.")
        }
    }

    /// Refuses boundaries that begin a line of an encoded body, where a parser would take the line for
    /// a delimiter and cut the part short. Our random boundaries cannot occur (see
    /// ``randomBoundary(_:)``); injected ones might.
    private static func checkAbsent(_ boundaries: [String], in body: [UInt8]) throws(MailError) {
        let delimiters = boundaries.map { Array("--\($0)".utf8) }
        var lineStart = 0
        while lineStart < body.count {
            let line = body[lineStart...]
            if delimiters.contains(where: { line.starts(with: $0) }) {
                throw MailError(.invalidBoundary, "A MIME boundary occurs at the start of a line of the body text.")
            }
            guard let end = line.firstIndex(of: 0x0A) else { break }
            lineStart = end + 1
        }
    }
}

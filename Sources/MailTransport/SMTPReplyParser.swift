import NIOCore

/// Cuts the bytes a server sends into whole replies, multi-line ones included (RFC 5321 §4.2.1).
///
/// A plain value fed by ``SMTPConnection`` rather than a `ByteToMessageDecoder` in the pipeline: the client must be
/// able to see whether bytes follow the reply to STARTTLS (a server or attacker pipelining plaintext that would be
/// read as if it came over TLS), and bytes held inside a pipeline handler cannot be inspected from the dialogue.
struct SMTPReplyParser {
    /// The longest reply accepted, all lines together; RFC 5321 allows 512 bytes a line, and EHLO lists a few dozen.
    static let maximumReplyLength = 64 * 1024

    private var buffer = ByteBuffer()

    /// Whether bytes were received that are not part of a reply returned so far.
    var hasUnreadBytes: Bool { self.buffer.readableBytes > 0 }

    mutating func append(_ bytes: ByteBuffer) {
        var bytes = bytes
        self.buffer.writeBuffer(&bytes)
    }

    /// The next complete reply, or `nil` when more bytes are needed.
    ///
    /// - Throws: ``MailTransportError`` (``MailTransportError/Code/protocolViolation``) for lines that are not
    ///   SMTP replies, a code that changes within one reply, or a reply longer than ``maximumReplyLength``.
    mutating func nextReply() throws -> SMTPReply? {
        let view = self.buffer.readableBytesView
        var lineStart = view.startIndex
        var code: Int?
        var lines: [String] = []
        while let newline = view[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
            var lineEnd = newline
            if lineEnd > lineStart, view[view.index(before: lineEnd)] == UInt8(ascii: "\r") {
                lineEnd = view.index(before: lineEnd)
            }
            let line = view[lineStart..<lineEnd]
            guard line.count >= 3, let lineCode = Self.code(line.prefix(3)) else {
                throw Self.violation("The server sent a line that is not an SMTP reply.")
            }
            if let code, code != lineCode {
                throw Self.violation("The server changed the reply code within one multi-line reply.")
            }
            code = lineCode
            let separator = line.count > 3 ? line[line.startIndex + 3] : UInt8(ascii: " ")
            guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
                throw Self.violation("The server sent a reply line without a space or hyphen after the code.")
            }
            let text = line.count > 4 ? line[(line.startIndex + 4)...] : line[line.endIndex...]
            lines.append(String(decoding: text, as: UTF8.self))
            lineStart = view.index(after: newline)
            if separator == UInt8(ascii: " ") {
                self.buffer.moveReaderIndex(forwardBy: lineStart - view.startIndex)
                self.buffer.discardReadBytes()
                return SMTPReply(code: lineCode, lines: lines)
            }
        }
        if self.buffer.readableBytes > Self.maximumReplyLength {
            throw Self.violation("The server sent a reply longer than \(Self.maximumReplyLength) bytes.")
        }
        return nil
    }

    private static func code(_ digits: some Collection<UInt8>) -> Int? {
        var value = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return (200...599).contains(value) ? value : nil
    }

    private static func violation(_ sentence: String) -> MailTransportError {
        MailTransportError(code: .protocolViolation, failure: .transient, message: sentence)
    }
}

/// One reply from an SMTP server: a three-digit code and its text lines (RFC 5321 §4.2).
///
/// Kept whole, multi-line replies included, because the outbox stores the server's own words as the reason a
/// message failed — "550 5.1.1 No such user" tells an operator more than any summary of ours.
public struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    /// The reply code, 200–599 in practice.
    public var code: Int
    /// The text after the code on each line, without the separator or the line ending.
    public var lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// The text lines joined by a space, as one sentence for a log line or the outbox's reason column.
    public var text: String { self.lines.joined(separator: " ") }

    /// 2xx: the command succeeded.
    public var isPositiveCompletion: Bool { (200..<300).contains(self.code) }

    /// 3xx: the server waits for more (354 after DATA, 334 during AUTH).
    public var isPositiveIntermediate: Bool { (300..<400).contains(self.code) }

    /// 4xx transient, 5xx permanent, `nil` for any other code.
    public var failure: SMTPFailure? { SMTPFailure(replyCode: self.code) }

    /// The reply as the server sent it, lines joined by " / " so it stays on one log line.
    public var description: String {
        let text = self.lines.joined(separator: " / ")
        return text.isEmpty ? "\(self.code)" : "\(self.code) \(text)"
    }
}

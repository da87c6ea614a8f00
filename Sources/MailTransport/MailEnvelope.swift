/// Who a message is from and to whom it goes, separately from the message's own headers.
///
/// The transports deliver to the envelope, not to the `To:` header, as SMTP does (RFC 5321 §2.3.1): the outbox
/// decides who receives a rendered message, and a rep's digest may well name people who do not get that copy.
public struct MailEnvelope: Sendable, Hashable {
    /// The reverse path (`MAIL FROM`), e.g. `charter@example.org`; bounces go here.
    public var from: String
    /// The forward paths (`RCPT TO`), one per recipient, without angle brackets.
    public var recipients: [String]
    /// The outbox's identifier for the message (its unique key), or `nil`.
    ///
    /// ``EMLDirectoryTransport`` names the file after it so that delivering the same message twice replaces the
    /// file instead of leaving two copies; SMTP ignores it. Default: `nil` (a random name).
    public var reference: String?

    public init(from: String, recipients: [String], reference: String? = nil) {
        self.from = from
        self.recipients = recipients
        self.reference = reference
    }
}

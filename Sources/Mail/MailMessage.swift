public import Foundation

/// A complete email as CharterWatch sends it: addresses, subject, date, id, a text and an HTML body
/// of the same content, attachments and any extra headers.
///
/// A plain value: build it, then turn it into bytes with a ``MailRenderer``. Addresses, attachments
/// and extra headers validate themselves when created; the subject and the recipient list are
/// checked when the message is rendered, since they can still change until then.
public struct MailMessage: Sendable, Hashable {
    /// The sender, e.g. the charter's no-reply address.
    public var from: MailAddress
    /// The recipients; at least one is needed to render.
    public var to: [MailAddress]
    /// Where replies should go when not to `from`, e.g. the charter team's inbox.
    public var replyTo: MailAddress?
    /// Any single-line text; sent as RFC 2047 encoded-words when it is not plain ASCII.
    public var subject: String
    /// When the message was written; rendered in the renderer's time zone.
    public var date: Date
    public var messageID: MessageID
    /// The plain-text alternative; any line breaks (LF, CRLF or CR) are sent as CRLF.
    public var textBody: String
    /// The HTML alternative, a complete document or fragment, sent after the text so clients that can
    /// show it prefer it (RFC 2046 §5.1.4: the last alternative is the richest).
    public var htmlBody: String
    /// Files after the bodies, in this order.
    public var attachments: [MailAttachment]
    /// Extra header fields, written after Message-ID in this order.
    public var headers: [MailHeader]

    public init(
        from: MailAddress,
        to: [MailAddress],
        replyTo: MailAddress? = nil,
        subject: String,
        date: Date,
        messageID: MessageID,
        textBody: String,
        htmlBody: String,
        attachments: [MailAttachment] = [],
        headers: [MailHeader] = []
    ) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.attachments = attachments
        self.headers = headers
    }
}

/// What happened to one message that was handed over: per-recipient results and the final reply.
///
/// Returned only when the message was handed over to at least one recipient; when every recipient was refused
/// ``SMTPClient`` throws instead (the outbox has nothing delivered to record). A report may still list refused
/// recipients next to accepted ones, so the outbox can record a partial delivery.
public struct SMTPDeliveryReport: Sendable, Hashable {
    /// One result per envelope recipient, in envelope order.
    public var recipients: [SMTPRecipientResult]
    /// The server's reply to the end of the message data (e.g. `250 2.0.0 Ok: queued as 4F2A1`), which names the
    /// message in the relay's logs; `nil` for transports without a server.
    public var messageReply: SMTPReply?

    public init(recipients: [SMTPRecipientResult], messageReply: SMTPReply?) {
        self.recipients = recipients
        self.messageReply = messageReply
    }

    /// The recipients the message was handed over for.
    public var accepted: [String] { self.recipients.filter(\.isAccepted).map(\.address) }

    /// The recipients the server refused, with its replies.
    public var rejected: [SMTPRecipientResult] { self.recipients.filter { !$0.isAccepted } }
}

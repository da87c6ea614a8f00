/// What the server said to one `RCPT TO`.
///
/// Recipients succeed or fail one by one: a server may take the rep and refuse the employer's old address in the
/// same transaction, and the outbox has to know which, with the server's words for the one refused.
public struct SMTPRecipientResult: Sendable, Hashable {
    /// The outcome for one recipient.
    public enum Outcome: Sendable, Hashable {
        /// The recipient was accepted; the reply is `nil` for transports without a server (EML files).
        case accepted(SMTPReply?)
        /// The server refused the recipient with this 4xx or 5xx reply.
        case rejected(SMTPReply)
    }

    /// The address as given in the envelope.
    public var address: String
    public var outcome: Outcome

    public init(address: String, outcome: Outcome) {
        self.address = address
        self.outcome = outcome
    }

    public var isAccepted: Bool {
        if case .accepted = self.outcome { return true }
        return false
    }

    /// The server's reply to this recipient, if there was a server.
    public var reply: SMTPReply? {
        switch self.outcome {
        case .accepted(let reply): reply
        case .rejected(let reply): reply
        }
    }
}

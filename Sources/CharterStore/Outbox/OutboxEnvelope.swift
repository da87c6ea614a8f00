/// A claimed message, as a transport needs it: who it is from and to, and its bytes.
public struct OutboxEnvelope: Sendable, Hashable {
    public var id: Int64
    public var sender: String
    public var recipients: [String]
    /// The complete RFC 5322 message, CRLF line endings.
    public var message: [UInt8]
    /// Which attempt this is, counting this one (a claim after a crashed worker's lease counts).
    public var attempt: Int

    public init(id: Int64, sender: String, recipients: [String], message: [UInt8], attempt: Int) {
        self.id = id
        self.sender = sender
        self.recipients = recipients
        self.message = message
        self.attempt = attempt
    }
}

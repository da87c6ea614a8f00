/// A message sent with `NOTIFY channel, 'payload'`.
public struct PGNotification: Sendable, Hashable {
    public var channel: String
    public var payload: String
    /// The server process that sent it.
    public var senderPID: Int32
}

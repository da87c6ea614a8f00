/// How a transport's attempt at one message went.
public enum DeliveryOutcome: Sendable, Hashable {
    /// The server accepted the message.
    case sent
    /// Try again later (a 4xx reply, a connection refused or dropped); `reply` is what the server said.
    case transient(reply: String)
    /// Never try again (a 5xx reply: no such mailbox, message refused); `reply` is what the server said.
    case permanent(reply: String)
}

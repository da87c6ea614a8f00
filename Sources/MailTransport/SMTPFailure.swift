/// Whether a failed delivery is worth trying again.
///
/// The outbox needs exactly this one decision: a ``transient`` failure is retried with backoff (and ends `dead`
/// when the retries run out), a ``permanent`` one ends `dead` at once with its reason (SPEC §7).
///
/// The rule: a failure is permanent only when the server said so with a 5xx reply, or when the message can never
/// be sent as it stands (an envelope address with a line break in it). Everything that goes wrong with the
/// connection is transient — refused or reset connections, timeouts, TLS handshake failures, a server that stops
/// offering STARTTLS — because those are faults of the network, the relay or its configuration, not of the message.
/// Calling a failed TLS handshake permanent would kill every queued message at once after a certificate slip on the
/// relay; as a transient failure the messages wait while an operator fixes it, and still end `dead` if nobody does.
public enum SMTPFailure: String, Sendable, Hashable, CustomStringConvertible {
    /// Try again later: 4xx replies and everything that went wrong with the connection.
    case transient
    /// Do not try again: 5xx replies and envelopes that can never be sent.
    case permanent

    /// The classification of a server reply: 4xx transient, 5xx permanent, anything else `nil` (not a failure).
    public init?(replyCode: Int) {
        switch replyCode {
        case 400..<500: self = .transient
        case 500..<600: self = .permanent
        default: return nil
        }
    }

    public var description: String { self.rawValue }
}

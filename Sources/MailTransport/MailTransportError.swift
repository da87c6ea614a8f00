/// The one error of the MailTransport module: what failed, whether to retry, and the server's reply.
///
/// Shaped like swift-service-lifecycle's `ServiceGroupError`: an extensible ``Code`` so new cases do not break
/// callers that switch over it, plus the ``failure`` classification the outbox acts on. `description` carries a
/// sentence and the server's reply but never a password or the message's content; the reply text is safe to store
/// as the outbox's reason.
public struct MailTransportError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidSettings
            case invalidEnvelope
            case connectionFailed
            case connectionClosed
            case timedOut
            case tlsFailed
            case startTLSUnavailable
            case authenticationUnavailable
            case authenticationFailed
            case replyRejected
            case recipientsRejected
            case protocolViolation
            case fileSystem
        }

        private let base: Base

        private init(_ base: Base) { self.base = base }

        /// `CHARTERD_SMTP_URL` or another setting cannot be used as given.
        public static let invalidSettings = Code(.invalidSettings)
        /// An envelope address would break the SMTP dialogue (a line break or angle bracket in it), or is empty.
        public static let invalidEnvelope = Code(.invalidEnvelope)
        /// The TCP connection could not be made (refused, unreachable, name not found, connect timeout).
        public static let connectionFailed = Code(.connectionFailed)
        /// The server closed or reset the connection in the middle of the dialogue.
        public static let connectionClosed = Code(.connectionClosed)
        /// The server did not answer a command within the configured timeout.
        public static let timedOut = Code(.timedOut)
        /// The TLS handshake failed: untrusted or mismatched certificate, protocol error.
        public static let tlsFailed = Code(.tlsFailed)
        /// STARTTLS is required but the server did not offer it (or refused it).
        public static let startTLSUnavailable = Code(.startTLSUnavailable)
        /// Credentials are configured but the server offers neither AUTH PLAIN nor AUTH LOGIN.
        public static let authenticationUnavailable = Code(.authenticationUnavailable)
        /// The server refused the credentials (535) or failed to check them (454).
        public static let authenticationFailed = Code(.authenticationFailed)
        /// The server refused a command (greeting, EHLO, MAIL FROM, DATA or the message itself).
        public static let replyRejected = Code(.replyRejected)
        /// The server refused every recipient; no message data was sent.
        public static let recipientsRejected = Code(.recipientsRejected)
        /// The server's reply was not SMTP, or it sent data it should not have (e.g. after STARTTLS).
        public static let protocolViolation = Code(.protocolViolation)
        /// The `.eml` directory could not be written.
        public static let fileSystem = Code(.fileSystem)

        public var description: String { self.base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// Whether the outbox should retry.
    public var failure: SMTPFailure
    /// A sentence for operators; never contains a password or message content.
    public var message: String
    /// The server's reply that decided the failure, when there was one.
    public var reply: SMTPReply?
    /// For ``Code/recipientsRejected``: the reply to each recipient.
    public var recipients: [SMTPRecipientResult]
    /// The error underneath (a NIO or TLS error), shown only by `debugDescription`.
    public var underlying: (any Error)?

    public init(
        code: Code,
        failure: SMTPFailure,
        message: String,
        reply: SMTPReply? = nil,
        recipients: [SMTPRecipientResult] = [],
        underlying: (any Error)? = nil
    ) {
        self.code = code
        self.failure = failure
        self.message = message
        self.reply = reply
        self.recipients = recipients
        self.underlying = underlying
    }

    /// `true` when the outbox should try again later.
    public var isTransient: Bool { self.failure == .transient }

    /// Whether the server refused one message in words and can take the next on the same connection
    /// (after RSET): a reply other than 421, which closes the session. Without a reply the connection
    /// itself failed.
    var leavesSessionOpen: Bool {
        guard let reply, self.code == .replyRejected || self.code == .recipientsRejected else { return false }
        return reply.code != 421
    }

    public var description: String {
        var text = "\(self.message) (\(self.failure), \(self.code))"
        if let reply = self.reply {
            text += ": server replied \(reply)"
        }
        return text
    }

    public var debugDescription: String {
        guard let underlying = self.underlying else { return self.description }
        return "\(self.description); underlying error: \(String(reflecting: underlying))"
    }
}

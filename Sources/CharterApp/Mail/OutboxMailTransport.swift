public import CharterStore
public import MailTransport

/// Puts one of the Mail module's transports (the SMTP client, the `.eml` directory) behind the outbox.
///
/// The outcome follows `MailTransportError.failure`: permanent only for a 5xx reply (or an envelope
/// that can never be sent), so the message ends `dead` with the server's words; everything else —
/// 4xx replies, a relay down, a TLS handshake failing — is tried again with backoff. When some
/// recipients were refused and others accepted, the message counts as sent: sending it again would
/// give the others a second copy.
public struct OutboxMailTransport: OutboxTransport {
    public let transport: any MailTransporting

    public init(_ transport: any MailTransporting) {
        self.transport = transport
    }

    public func deliver(_ envelope: OutboxEnvelope) async throws -> DeliveryOutcome {
        do {
            _ = try await transport.send(Self.mailEnvelope(envelope), message: envelope.message)
            return .sent
        } catch let error as MailTransportError {
            return Self.outcome(error)
        }
    }

    /// The messages over one connection (`MailTransporting.sendEach`).
    public func deliverEach(
        next: () async -> OutboxEnvelope?,
        delivered: (OutboxEnvelope, Result<DeliveryOutcome, any Error>) async -> Void
    ) async {
        var current: OutboxEnvelope?
        await transport.sendEach(
            next: {
                current = await next()
                return current.map { (Self.mailEnvelope($0), $0.message) }
            },
            sent: { result in
                guard let envelope = current else { return }
                switch result {
                case .success: await delivered(envelope, .success(.sent))
                case .failure(let error as MailTransportError): await delivered(envelope, .success(Self.outcome(error)))
                case .failure(let error): await delivered(envelope, .failure(error))
                }
            })
    }

    private static func mailEnvelope(_ envelope: OutboxEnvelope) -> MailEnvelope {
        MailEnvelope(from: envelope.sender, recipients: envelope.recipients, reference: "\(envelope.id)")
    }

    private static func outcome(_ error: MailTransportError) -> DeliveryOutcome {
        let reply = error.reply.map { "\($0.code) \($0.text)" } ?? error.message
        return error.failure == .permanent ? .permanent(reply: reply) : .transient(reply: reply)
    }
}

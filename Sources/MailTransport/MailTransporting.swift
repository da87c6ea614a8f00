/// Something that hands a rendered message over for delivery: an SMTP relay or a directory of `.eml` files.
///
/// The outbox depends on this rather than on a transport, so `CHARTERD_MAIL_TRANSPORT` can pick one at start-up
/// and tests can use the directory. Implementations throw ``MailTransportError``, whose ``SMTPFailure`` tells the
/// outbox whether to retry.
public protocol MailTransporting: Sendable {
    /// Hands `message` (a complete RFC 5322 message, CRLF line endings) over for the envelope's recipients.
    ///
    /// - Returns: Per-recipient results; at least one recipient was accepted.
    /// - Throws: ``MailTransportError``; nothing was handed over for any recipient.
    func send(_ envelope: MailEnvelope, message: [UInt8]) async throws -> SMTPDeliveryReport

    /// Hands over the messages `next` gives until it gives nil, each answered by `sent` before the next is
    /// asked for (a ``MailTransportError`` or a `CancellationError` when it failed); the SMTP client sends
    /// them over one connection.
    func sendEach(
        next: () async -> (MailEnvelope, [UInt8])?,
        sent: (Result<SMTPDeliveryReport, any Error>) async -> Void
    ) async
}

extension MailTransporting {
    /// One `send` after another.
    public func sendEach(
        next: () async -> (MailEnvelope, [UInt8])?,
        sent: (Result<SMTPDeliveryReport, any Error>) async -> Void
    ) async {
        while !Task.isCancelled, let (envelope, message) = await next() {
            do {
                await sent(.success(try await send(envelope, message: message)))
            } catch {
                await sent(.failure(error))
            }
        }
    }
}

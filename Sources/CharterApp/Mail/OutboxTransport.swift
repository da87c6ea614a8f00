public import CharterStore

/// Hands one outbox message to the outside world: an SMTP relay, a directory of `.eml` files, a test.
///
/// Kept small so each transport is a thin adapter. `deliver` answers how it went; a thrown error is
/// taken as a transient failure (the message is tried again later), with the error as the reply.
/// When `CHARTERD_MAIL_TRANSPORT` is `none` there is no transport and no `OutboxDelivery` runs: the
/// messages stay `queued` in the outbox — kept for download with `charterctl outbox export` — and a
/// later switch to a real transport sends them.
public protocol OutboxTransport: Sendable {
    func deliver(_ envelope: OutboxEnvelope) async throws -> DeliveryOutcome

    /// Delivers the messages `next` gives until it gives nil, each answered by `delivered` before the next
    /// is asked for; an SMTP relay takes them over one connection.
    func deliverEach(
        next: () async -> OutboxEnvelope?,
        delivered: (OutboxEnvelope, Result<DeliveryOutcome, any Error>) async -> Void
    ) async
}

extension OutboxTransport {
    /// One `deliver` after another.
    public func deliverEach(
        next: () async -> OutboxEnvelope?,
        delivered: (OutboxEnvelope, Result<DeliveryOutcome, any Error>) async -> Void
    ) async {
        while !Task.isCancelled, let envelope = await next() {
            do {
                await delivered(envelope, .success(try await deliver(envelope)))
            } catch {
                await delivered(envelope, .failure(error))
            }
        }
    }
}

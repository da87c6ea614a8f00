public import PGClient

/// Queues the notices a person's action on a flag calls for, in the action's own transaction.
///
/// The flag store writes the action; what the notices say and who gets them is the report queue's
/// business, which lives in the use-case layer above the stores. This is the one thing the store needs
/// of it, so the store does not depend on the layer that composes it.
public protocol FlagNoticeQueuing: Sendable {
    /// Queues the notices about flag event `eventID`; returns how many were queued.
    func queueFlagNotices(eventID: Int64, on connection: PGConnection) async throws -> Int
}

public import CharterDomain
public import PGClient

/// Queues one report in the outbox inside the caller's transaction: what a store needs of the report
/// queue (which renders, and lives in the use-case layer above the stores) to send a message with the
/// change that calls for it — the invitation with the user it invites.
public protocol ReportQueuing: Sendable {
    /// Renders and queues `report` on `connection`; false when it was not queued.
    @discardableResult
    func queue(_ report: Report, on connection: PGConnection) async throws -> Bool
}

/// Where a message is in its delivery: `queued` (waiting, maybe for a retry), `sending` (claimed by a
/// worker under a lease), `sent`, or `dead` (a permanent failure or retries exhausted; an admin may
/// requeue it).
public enum OutboxMessageState: String, Sendable, Hashable, Codable, CaseIterable {
    case queued, sending, sent, dead
}

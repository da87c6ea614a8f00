public import Foundation

/// One outbox message without its bytes, for `charterctl outbox list` and operators.
public struct OutboxSummary: Sendable, Hashable, Codable {
    public var id: Int64
    public var kind: OutboxMessage.Kind
    public var dedupKey: String
    public var recipients: [String]
    public var subject: String
    public var state: OutboxMessageState
    public var attempts: Int
    public var createdAt: Date
    public var nextAttemptAt: Date
    public var claimedBy: String?
    public var claimedUntil: Date?
    /// The server's reply to the last failed attempt.
    public var lastError: String?
    public var sentAt: Date?
}

public import Foundation

/// The latest message of a kind to a recipient that was sent or is still to be sent, for deciding
/// whether a new digest is worth sending (SPEC §7: only when its content changed since the last one
/// to that recipient, or a repeat interval passed).
public struct LastOutboxMessage: Sendable, Hashable {
    public var id: Int64
    public var state: OutboxMessageState
    public var contentDigest: [UInt8]
    public var createdAt: Date
    public var sentAt: Date?

    public init(id: Int64, state: OutboxMessageState, contentDigest: [UInt8], createdAt: Date, sentAt: Date?) {
        self.id = id
        self.state = state
        self.contentDigest = contentDigest
        self.createdAt = createdAt
        self.sentAt = sentAt
    }

    /// Whether a message with `contentDigest` should go out at `now`: there was none before, its
    /// content differs, or the last one is older than `repeatInterval` (nil: never repeat unchanged).
    public static func isWorthSending(
        contentDigest: [UInt8], after last: LastOutboxMessage?, now: Date, repeatInterval: TimeInterval?
    ) -> Bool {
        guard let last else { return true }
        if last.contentDigest != contentDigest { return true }
        guard let repeatInterval else { return false }
        return now.timeIntervalSince(last.sentAt ?? last.createdAt) >= repeatInterval
    }
}

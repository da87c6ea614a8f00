/// The outbox key of one digest — `employer-digest:<employer>:<date>` or `rep-digest:<rep>:<date>` — and
/// the prefix every digest to one recipient shares.
///
/// The one place that knows the key's shape: the queue stores `text` as the message's unique key, and the
/// gatherer finds a recipient's last digest by `prefix(for:)`, so the two cannot drift apart.
public struct DigestKey: Sendable, Hashable {
    /// Who a digest goes to.
    public enum Recipient: Sendable, Hashable {
        /// An employer's contacts, by employer id.
        case employer(Int64)
        /// One rep, by rep id.
        case rep(Int64)

        /// The report kind of a digest to this recipient.
        public var kind: ReportKind {
            switch self {
            case .employer: .employerDigest
            case .rep: .repDigest
            }
        }

        /// The employer's or the rep's id.
        public var id: Int64 {
            switch self {
            case .employer(let id), .rep(let id): id
            }
        }
    }

    public var recipient: Recipient
    /// The day the digest speaks for.
    public var asOf: CalendarDate

    public init(recipient: Recipient, asOf: CalendarDate) {
        self.recipient = recipient
        self.asOf = asOf
    }

    /// The key as the outbox stores it.
    public var text: String { Self.prefix(for: recipient) + asOf.description }

    /// What every digest key to `recipient` starts with, whatever its date (`employer-digest:12:`); the
    /// trailing separator keeps employer 1 from matching employer 12's keys.
    public static func prefix(for recipient: Recipient) -> String {
        "\(recipient.kind.rawValue):\(recipient.id):"
    }
}

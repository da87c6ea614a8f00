/// What `AuditTrail.verify(on:)` found: how many rows it checked, and the first break, if any.
public struct AuditVerification: Sendable, Hashable, Codable {
    /// How the chain can be broken.
    public enum Problem: String, Sendable, Hashable, Codable {
        /// The row's hash does not match its content and `prev_hash`: the row was changed after it was
        /// written.
        case contentAltered = "content_altered"
        /// The row's `prev_hash` is not the previous row's hash: a row before it was removed, or a
        /// changed row's hash was recomputed to hide the change.
        case chainBroken = "chain_broken"
        /// `audit_head` does not name the last row and its hash: rows at the end were removed, or the
        /// head was changed.
        case headMismatch = "head_mismatch"
    }

    /// The first place the chain does not hold.
    public struct Break: Sendable, Hashable, Codable {
        /// The audit row where it shows (nil when the head names no row and none is left).
        public var rowID: Int64?
        public var problem: Problem
        /// One sentence for the person running the check.
        public var message: String

        enum CodingKeys: String, CodingKey {
            case rowID = "row_id"
            case problem, message
        }
    }

    /// Rows whose hash and link were checked (all of them when the chain is intact; up to and
    /// including the broken row otherwise).
    public var rowsChecked: Int
    /// The newest row's hash in hex (the chain head printed in the weekly summary), when intact.
    public var headHash: String?
    public var firstBreak: Break?

    /// Whether every row and the head check out.
    public var isIntact: Bool { firstBreak == nil }

    enum CodingKeys: String, CodingKey {
        case rowsChecked = "rows_checked"
        case headHash = "head_hash"
        case firstBreak = "first_break"
        case isIntact = "intact"
    }

    public init(rowsChecked: Int, headHash: String?, firstBreak: Break?) {
        self.rowsChecked = rowsChecked
        self.headHash = headHash
        self.firstBreak = firstBreak
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rowsChecked = try container.decode(Int.self, forKey: .rowsChecked)
        headHash = try container.decodeIfPresent(String.self, forKey: .headHash)
        firstBreak = try container.decodeIfPresent(Break.self, forKey: .firstBreak)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(isIntact, forKey: .isIntact)
        try container.encode(rowsChecked, forKey: .rowsChecked)
        try container.encode(headHash, forKey: .headHash)
        try container.encode(firstBreak, forKey: .firstBreak)
    }
}

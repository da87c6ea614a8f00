/// What `AuditTrail.verify(on:key:publishedHead:)` found: how many rows it checked, and the first break,
/// if any.
public struct AuditVerification: Sendable, Hashable, Codable {
    /// How the chain can be broken.
    public enum Problem: String, Sendable, Hashable, Codable {
        /// The row's hash does not match its content and `prev_hash`: the row was changed after it was
        /// written (and, if rehashed, not with the audit key).
        case contentAltered = "content_altered"
        /// The row's `prev_hash` is not the previous row's hash: a row before it was removed, or a
        /// changed row's hash was recomputed to hide the change.
        case chainBroken = "chain_broken"
        /// `audit_head` does not name the last row and its hash: rows at the end were removed, or the
        /// head was changed.
        case headMismatch = "head_mismatch"
        /// The key given is not the one the chain is written with: nothing can be proved with it.
        case wrongKey = "wrong_key"
        /// A row that should carry the audit key's HMAC carries plain SHA-256 (rows rewritten by someone
        /// without the key), or no row at all is keyed yet.
        case notKeyed = "not_keyed"
        /// The head published earlier (`--head`) is not the hash of any row in the chain.
        case publishedHeadMissing = "published_head_missing"
    }

    /// The first place the chain does not hold.
    public struct Break: Sendable, Hashable, Codable {
        /// The audit row where it shows (nil when it is no one row's: the head, the key, a published head).
        public var rowID: Int64?
        public var problem: Problem
        /// One sentence for the person running the check.
        public var message: String

        public init(rowID: Int64?, problem: Problem, message: String) {
            self.rowID = rowID
            self.problem = problem
            self.message = message
        }

        enum CodingKeys: String, CodingKey {
            case rowID = "row_id"
            case problem, message
        }
    }

    /// Where a head published earlier (the weekly summary prints it) was found in the chain.
    public struct PublishedHead: Sendable, Hashable, Codable {
        /// The hash, in hex.
        public var hash: String
        /// The row whose hash it is; nil for 64 zeros, the start of the chain (the head of an empty log).
        public var rowID: Int64?
        /// How many rows the chain had when it was the head: its place counting from the first row.
        public var position: Int

        public init(hash: String, rowID: Int64?, position: Int) {
            self.hash = hash
            self.rowID = rowID
            self.position = position
        }

        enum CodingKeys: String, CodingKey {
            case hash
            case rowID = "row_id"
            case position
        }
    }

    /// Rows whose hash and link were checked (all of them when the chain is intact; up to and
    /// including the broken row otherwise).
    public var rowsChecked: Int
    /// The newest row's hash in hex (the chain head printed in the weekly summary), when intact.
    public var headHash: String?
    public var firstBreak: Break?
    /// Rows written before the chain was keyed, hashed with plain SHA-256 and vouched for by the first
    /// keyed row (`firstKeyedRow`, the seal) after them.
    public var unkeyedRows: Int
    /// The first row hashed with the audit key, when one was reached.
    public var firstKeyedRow: Int64?
    /// The published head asked about, when it was found in the chain.
    public var publishedHead: PublishedHead?

    /// Whether every row, the head and any published head asked about check out.
    public var isIntact: Bool { firstBreak == nil }

    enum CodingKeys: String, CodingKey {
        case rowsChecked = "rows_checked"
        case headHash = "head_hash"
        case firstBreak = "first_break"
        case isIntact = "intact"
        case unkeyedRows = "unkeyed_rows"
        case firstKeyedRow = "first_keyed_row"
        case publishedHead = "published_head"
    }

    public init(
        rowsChecked: Int, headHash: String?, firstBreak: Break?, unkeyedRows: Int = 0, firstKeyedRow: Int64? = nil,
        publishedHead: PublishedHead? = nil
    ) {
        self.rowsChecked = rowsChecked
        self.headHash = headHash
        self.firstBreak = firstBreak
        self.unkeyedRows = unkeyedRows
        self.firstKeyedRow = firstKeyedRow
        self.publishedHead = publishedHead
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rowsChecked = try container.decode(Int.self, forKey: .rowsChecked)
        headHash = try container.decodeIfPresent(String.self, forKey: .headHash)
        firstBreak = try container.decodeIfPresent(Break.self, forKey: .firstBreak)
        unkeyedRows = try container.decodeIfPresent(Int.self, forKey: .unkeyedRows) ?? 0
        firstKeyedRow = try container.decodeIfPresent(Int64.self, forKey: .firstKeyedRow)
        publishedHead = try container.decodeIfPresent(PublishedHead.self, forKey: .publishedHead)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(isIntact, forKey: .isIntact)
        try container.encode(rowsChecked, forKey: .rowsChecked)
        try container.encode(headHash, forKey: .headHash)
        try container.encode(firstBreak, forKey: .firstBreak)
        try container.encode(unkeyedRows, forKey: .unkeyedRows)
        try container.encode(firstKeyedRow, forKey: .firstKeyedRow)
        try container.encode(publishedHead, forKey: .publishedHead)
    }
}

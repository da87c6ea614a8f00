public import CharterAccess
public import Foundation

/// An API token as stored: everything but the secret, which is never kept (only its SHA-256).
public struct APITokenRecord: Sendable, Hashable, Codable {
    public var id: Int64
    /// The public prefix (`cw_<prefix>_…`), which names the token in lists and the audit log.
    public var prefix: String
    public var label: String?
    public var role: Role
    /// The employer an `employer` token belongs to.
    public var employerID: Int64?
    /// The rep a `rep` token acts for.
    public var repID: Int64?
    public var createdBy: String
    public var createdAt: Date
    /// When the token stops working; nil = never.
    public var expiresAt: Date?
    public var revokedAt: Date?
    /// When the token was last accepted, to within about a minute.
    public var lastUsedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, prefix, label, role
        case employerID = "employer_id"
        case repID = "rep_id"
        case createdBy = "created_by"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case revokedAt = "revoked_at"
        case lastUsedAt = "last_used_at"
    }
}

public import CharterAccess
public import Foundation

/// A person who signs in to the web pages. The password hash never leaves the store.
public struct User: Sendable, Hashable, Codable {
    public var id: Int64
    public var email: String
    public var displayName: String
    public var role: Role
    /// The employer an `employer` user belongs to.
    public var employerID: Int64?
    /// The rep a `rep` user is.
    public var repID: Int64?
    /// When the user was disabled; a disabled user cannot sign in and their sessions end.
    public var disabledAt: Date?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, email, role
        case displayName = "display_name"
        case employerID = "employer_id"
        case repID = "rep_id"
        case disabledAt = "disabled_at"
        case createdAt = "created_at"
    }
}

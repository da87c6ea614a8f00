public import CharterAccess
public import Foundation

/// A live web session, found from its cookie: who is acting and what their forms must echo back.
public struct ActiveSession: Sendable, CustomStringConvertible {
    /// The signed-in user as the access policy sees them (actor `user:<id>`); a rep's covered
    /// employers are read fresh with every lookup.
    public let principal: Principal
    /// The token every form of this session must carry (`CSRFToken.matches`).
    public let csrfToken: CSRFToken
    public let userID: Int64
    public let displayName: String
    public let expiresAt: Date

    public var description: String { "session of user \(userID) until \(expiresAt.formatted(.iso8601))" }
}

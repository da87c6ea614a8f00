public import Foundation

/// One row of the audit log as people read it (the workspace's audit page, its CSV).
public struct AuditEntry: Sendable, Hashable {
    public var id: Int64
    public var at: Date
    public var actor: String
    public var action: String
    public var entity: String
    public var entityID: String?
    /// The row's details as JSON text.
    public var details: String
    /// The row's hash in hex.
    public var rowHash: String

    public init(
        id: Int64, at: Date, actor: String, action: String, entity: String, entityID: String?, details: String,
        rowHash: String
    ) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.entity = entity
        self.entityID = entityID
        self.details = details
        self.rowHash = rowHash
    }
}

import Foundation
public import PGClient

/// Appends to the tamper-evident audit log, inside the transaction of the change it records.
///
/// The hashing is done by the database function `audit_append` (migration 0005), so every
/// writer, in any process, chains rows the same way.
public enum AuditTrail {
    /// Records `action` on `entity` by `actor`; `details` must hold no worker data or secrets.
    @discardableResult
    public static func append(
        on connection: PGConnection, actor: String, action: String, entity: String, entityID: String?,
        details: [String: any Sendable] = [:]
    ) async throws -> Int64 {
        let json = String(
            decoding: try JSONSerialization.data(withJSONObject: details, options: [.sortedKeys]), as: UTF8.self)
        let rows = try await connection.query(
            "SELECT audit_append(\(actor), \(action), \(entity), \(entityID), \(json)::jsonb) AS id")
        return try rows[0].decode(Int64.self, column: "id")
    }
}

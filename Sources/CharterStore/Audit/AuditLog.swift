public import Foundation
public import PGClient

/// Reads the audit log for people: newest first, filtered by actor, object and time, a page at a time.
///
/// Each filter has an index fit for hundreds of thousands of rows (migration 0017): by actor, by
/// entity (and its id), by time; the page is read along the primary key in descending order.
public struct AuditLog: Sendable {
    /// What to list: each filter applies only when given.
    public struct Filter: Sendable, Hashable {
        /// The actor exactly (`user:3`, `charterctl:alice`, `system`).
        public var actor: String?
        /// The kind of object (`exemption`, `employer`, `outbox_message`).
        public var entity: String?
        /// The object's id, with `entity`.
        public var entityID: String?
        /// From this instant on.
        public var from: Date?
        /// Before this instant.
        public var before: Date?

        public init(
            actor: String? = nil, entity: String? = nil, entityID: String? = nil, from: Date? = nil,
            before: Date? = nil
        ) {
            self.actor = actor
            self.entity = entity
            self.entityID = entityID
            self.from = from
            self.before = before
        }
    }

    public let pool: PGPool

    public init(pool: PGPool) {
        self.pool = pool
    }

    /// The rows `filter` chooses, newest first, `limit` of them after skipping `offset`.
    public func list(_ filter: Filter, offset: Int = 0, limit: Int = 50) async throws -> [AuditEntry] {
        try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT id, at, actor, action, entity, entity_id, details::text AS details,
                       encode(row_hash, 'hex') AS row_hash
                FROM audit_log WHERE \(Self.condition(filter))
                ORDER BY id DESC OFFSET \(max(offset, 0)) LIMIT \(max(limit, 0))
                """
            ).map { row in
                AuditEntry(
                    id: try row.decode(Int64.self, column: "id"), at: try row.decode(Date.self, column: "at"),
                    actor: try row.decode(String.self, column: "actor"),
                    action: try row.decode(String.self, column: "action"),
                    entity: try row.decode(String.self, column: "entity"),
                    entityID: try row.decode(String?.self, column: "entity_id"),
                    details: try row.decode(String.self, column: "details"),
                    rowHash: try row.decode(String.self, column: "row_hash"))
            }
        }
    }

    /// How many rows `filter` chooses.
    public func count(_ filter: Filter) async throws -> Int {
        try await pool.withConnection { connection in
            Int(
                try await connection.query("SELECT count(*) AS n FROM audit_log WHERE \(Self.condition(filter))")[0]
                    .decode(Int64.self, column: "n"))
        }
    }

    static func condition(_ filter: Filter) -> PGQuery {
        """
        (\(filter.actor)::text IS NULL OR actor = \(filter.actor))
        AND (\(filter.entity)::text IS NULL OR entity = \(filter.entity))
        AND (\(filter.entityID)::text IS NULL OR entity_id = \(filter.entityID))
        AND (\(filter.from)::timestamptz IS NULL OR at >= \(filter.from))
        AND (\(filter.before)::timestamptz IS NULL OR at < \(filter.before))
        """
    }
}

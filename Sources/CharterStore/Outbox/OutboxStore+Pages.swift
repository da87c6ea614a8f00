import Foundation
import PGClient

extension OutboxStore {
    /// Messages newest first (only those in `state` when given), `limit` of them after skipping
    /// `offset`: a page of the workspace's outbox.
    public func page(state: OutboxMessageState? = nil, offset: Int, limit: Int) async throws -> [OutboxSummary] {
        let limit = max(0, min(limit, 10_000))
        return try await pool.withConnection { connection in
            try await Self.summaries(
                on: connection,
                where: """
                    id IN (SELECT id FROM outbox_messages
                           WHERE (\(state?.rawValue)::text IS NULL OR state = \(state?.rawValue))
                           ORDER BY id DESC OFFSET \(max(0, offset)) LIMIT \(limit))
                    """, limit: limit)
        }
    }

    /// How many messages there are (in `state` when given).
    public func count(state: OutboxMessageState? = nil) async throws -> Int {
        try await pool.withConnection { connection in
            Int(
                try await connection.query(
                    """
                    SELECT count(*) AS n FROM outbox_messages
                    WHERE (\(state?.rawValue)::text IS NULL OR state = \(state?.rawValue))
                    """
                )[0].decode(Int64.self, column: "n"))
        }
    }

    /// The message `id` exactly as it was (or will be) sent, or nil.
    public func message(id: Int64) async throws -> [UInt8]? {
        try await pool.withConnection { connection in
            try await connection.query("SELECT message FROM outbox_messages WHERE id = \(id)").first?.decode(
                PGBytes.self, column: "message"
            ).bytes
        }
    }
}

public import PGClient

extension AuditTrail {
    /// Binds the database's audit chain to `key`, once; afterwards only checks that `key` is its key.
    ///
    /// charterd calls it at every start and `charterctl migrate` after migrating. The first time after
    /// migration 0013, on a chain with rows written before the chain was keyed (hashed with plain
    /// SHA-256), it appends an `audit.seal` row keyed with `key` whose `prev_hash` is the last of them:
    /// that one HMAC vouches for every row before it, since rewriting any of them — and recomputing
    /// their SHA-256 chain — changes the hash the seal was computed over. The table stays append-only:
    /// nothing is rehashed in place. An empty chain only records the key's fingerprint (no row).
    ///
    /// The old rows are not verified first: sealing commits them as they are and repairs nothing, so a
    /// break among them stays as visible to `verify` as before.
    ///
    /// Throws `CharterStoreError(.auditKey, …)` when the chain is already written with another key.
    /// - Returns: how many unkeyed rows the seal now vouches for (0 when there was nothing to seal).
    @discardableResult
    public static func seal(on connection: PGConnection, key: AuditKey, actor: String) async throws -> Int {
        try await connection.withTransaction { connection in
            let rows = try await connection.query(
                "SELECT last_id, key_fingerprint FROM audit_head WHERE singleton FOR UPDATE")
            guard let head = rows.first else {
                throw CharterStoreError(.notFound, "the audit chain has no head row (audit_head is empty)")
            }
            if let fingerprint = try head.decode(PGBytes?.self, column: "key_fingerprint") {
                guard fingerprint.bytes == key.fingerprint else { throw wrongKey(chain: fingerprint.bytes, given: key) }
                return 0
            }
            guard try head.decode(Int64?.self, column: "last_id") != nil else {
                try await connection.execute(
                    "UPDATE audit_head SET key_fingerprint = \(PGBytes(key.fingerprint)) WHERE singleton")
                return 0
            }
            let unkeyed = try await connection.query("SELECT count(*)::int AS n FROM audit_log")[0].decode(
                Int.self, column: "n")
            _ = try await appendInTransaction(
                on: connection, key: key, actor: actor, action: "audit.seal", entity: "audit_log", entityID: nil,
                details: "{\"unkeyed_rows\": \(unkeyed)}")
            return unkeyed
        }
    }
}

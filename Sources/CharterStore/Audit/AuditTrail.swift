import Foundation
public import PGClient
import Synchronization

/// Appends to the tamper-evident audit log, inside the transaction of the change it records.
///
/// Each row's hash is HMAC-SHA256 under the audit key (`AuditKey`, SPEC §8) of the previous row's hash
/// and the row's canonical content. The HMAC is computed here, in the process, rather than in SQL
/// (pgcrypto's `hmac()` or an RFC 2104 construction over `sha256()`): the key then never reaches the
/// database server — not in a statement, not in a bind parameter a server's statement log may print,
/// not in a backend's memory, and not within reach of a superuser who replaces a function to capture
/// what it is given — and no extension is needed on a managed server or by a least-privilege role.
/// What every writer must share the database still provides: the head, locked `FOR UPDATE` in the
/// writer's transaction (so two rows never claim the same predecessor), the timestamp, and the
/// canonical text (`audit_canonical`, so it is the same whoever computes it and whenever it is checked).
///
/// The key is the process's own: charterd and charterctl set it from their settings at start-up
/// (`useKey`), and every store reaches the log through this one function with the connection of its
/// transaction, so no store carries a key of its own and none can chain differently.
public enum AuditTrail {
    private static let keyInUse = Mutex<AuditKey?>(nil)

    /// Makes `key` the one this process writes and verifies the audit chain with.
    ///
    /// Setting the same key again is harmless; another key is refused, so a process can never chain
    /// some rows under one key and some under another.
    public static func useKey(_ key: AuditKey) throws {
        let accepted = keyInUse.withLock { current in
            if let current, current != key { return false }
            current = key
            return true
        }
        guard accepted else {
            throw CharterStoreError(.auditKey, "this process already writes the audit chain with another key")
        }
    }

    /// The key set with `useKey`, if any.
    public static var key: AuditKey? { keyInUse.withLock { $0 } }

    /// Records `action` on `entity` by `actor`; `details` must hold no worker data or secrets.
    ///
    /// Call it on the connection of the transaction that makes the change, so the row exists exactly
    /// when the change does (on a connection outside a transaction it opens one of its own). Throws
    /// `CharterStoreError(.auditKey, …)` when this process has no key, or when the chain is written with
    /// another key: the change is then not made either.
    @discardableResult
    public static func append(
        on connection: PGConnection, actor: String, action: String, entity: String, entityID: String?,
        details: [String: any Sendable] = [:]
    ) async throws -> Int64 {
        guard let key else { throw missingKey }
        let json = String(
            decoding: try JSONSerialization.data(withJSONObject: details, options: [.sortedKeys]), as: UTF8.self)
        if await connection.isIdle {
            return try await connection.withTransaction { connection in
                try await appendInTransaction(
                    on: connection, key: key, actor: actor, action: action, entity: entity, entityID: entityID,
                    details: json)
            }
        }
        return try await appendInTransaction(
            on: connection, key: key, actor: actor, action: action, entity: entity, entityID: entityID, details: json)
    }

    /// Appends one keyed row; the connection must be inside a transaction, which holds the head's lock
    /// from the read of the previous hash to the new row.
    static func appendInTransaction(
        on connection: PGConnection, key: AuditKey, actor: String, action: String, entity: String,
        entityID: String?, details json: String
    ) async throws -> Int64 {
        // The timestamp travels as text and back: timestamptz's text form in one session is exact to the
        // microsecond, so the stored `at` is the one the canonical text (and so the hash) was made from.
        let rows = try await connection.query(
            """
            SELECT h.row_hash AS previous, h.key_fingerprint AS fingerprint, s.at::text AS at,
                   audit_canonical(s.at, \(actor), \(action), \(entity), \(entityID), \(json)::jsonb) AS canonical
            FROM audit_head h CROSS JOIN (SELECT clock_timestamp() AS at) s
            WHERE h.singleton FOR UPDATE OF h
            """)
        guard let head = rows.first else {
            throw CharterStoreError(.notFound, "the audit chain has no head row (audit_head is empty)")
        }
        let previous = try head.decode(PGBytes.self, column: "previous")
        if let fingerprint = try head.decode(PGBytes?.self, column: "fingerprint"), fingerprint.bytes != key.fingerprint
        {
            throw wrongKey(chain: fingerprint.bytes, given: key)
        }
        let at = try head.decode(String.self, column: "at")
        let hash = key.rowHash(previous: previous.bytes, canonical: try head.decode(String.self, column: "canonical"))
        let appended = try await connection.query(
            """
            SELECT audit_append_sealed(\(at)::timestamptz, \(actor), \(action), \(entity), \(entityID), \(json)::jsonb,
                                       \(previous), \(PGBytes(hash)), \(PGBytes(key.fingerprint))) AS id
            """)
        return try appended[0].decode(Int64.self, column: "id")
    }

    static var missingKey: CharterStoreError {
        CharterStoreError(
            .auditKey,
            "no audit key is set, so no change can be recorded in the audit chain: set CHARTERD_AUDIT_KEY to the"
                + " key charterd uses (64 hex digits; see deploy/README.md)")
    }

    static func wrongKey(chain: [UInt8], given key: AuditKey) -> CharterStoreError {
        CharterStoreError(
            .auditKey,
            "CHARTERD_AUDIT_KEY is not the key this database's audit chain is written with (the chain's key has"
                + " fingerprint \(hex(Array(chain.prefix(4))))…, this one \(hex(Array(key.fingerprint.prefix(4))))…):"
                + " set it to the key charterd uses; a chain keeps the key it was started with")
    }
}

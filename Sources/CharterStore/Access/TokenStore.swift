public import CharterAccess
import CharterDomain
public import Foundation
public import PGClient

/// API tokens for payroll systems and scripts (SPEC §8): created and revoked by the charter team,
/// stored only as prefix and SHA-256, checked on every API request.
public struct TokenStore: Sendable {
    public let pool: PGPool

    /// How often `authenticate` records a token's use at most: one write per token per interval, not
    /// one per request.
    public static let lastUsedResolution: TimeInterval = 60

    public init(pool: PGPool) {
        self.pool = pool
    }

    /// Creates a token and returns its text — the only time it exists outside its owner's hands.
    ///
    /// An `employer` token names its employer, a `rep` token its rep, admin and viewer tokens
    /// neither; anything else is refused with a sentence, as are an unknown employer or rep and an
    /// expiry that has already passed. The audit row names the token by its prefix.
    public func create(
        role: Role, employerID: Int64?, repID: Int64?, label: String?, expiresAt: Date?, createdBy: String
    ) async throws -> IssuedAPIToken {
        if let expiresAt, expiresAt <= Date() {
            throw CharterStoreError(.invalid, "the expiry \(Self.format(expiresAt)) has already passed")
        }
        let trimmed = label?.trimmingCharacters(in: .whitespacesAndNewlines)
        let label = trimmed?.isEmpty == false ? trimmed : nil
        try TextField.tokenLabel.check(label)
        // The 40-bit prefix can clash with an existing token's (rarely); the unique index then refuses
        // the insert and a fresh token is drawn.
        for _ in 1...3 {
            let token = APIToken.generate()
            do {
                return try await pool.withTransaction { connection in
                    try await RoleBinding.check(
                        role: role, employerID: employerID, repID: repID, holder: "token", on: connection)
                    let row = try await connection.query(
                        """
                        INSERT INTO api_tokens (prefix, token_hash, label, role, employer_id, rep_id, created_by,
                                                expires_at)
                        VALUES (\(token.prefix), \(PGBytes(token.hash)), \(label), \(role.rawValue), \(employerID),
                                \(repID), \(createdBy), \(expiresAt))
                        RETURNING \(Self.recordColumns)
                        """)[0]
                    let record = try Self.record(row)
                    // The prefix names the token; the secret and its hash never enter the log.
                    var details: [String: any Sendable] = ["prefix": token.prefix, "role": role.rawValue]
                    if let employerID { details["employer_id"] = employerID }
                    if let repID { details["rep_id"] = repID }
                    if let label { details["label"] = label }
                    if let expiresAt { details["expires_at"] = Self.format(expiresAt) }
                    try await AuditTrail.append(
                        on: connection, actor: createdBy, action: "token.create", entity: "api_token",
                        entityID: String(record.id), details: details)
                    return IssuedAPIToken(record: record, token: token)
                }
            } catch let error as PGError where error.sqlState == .uniqueViolation {
                continue  // api_tokens.prefix is the only unique key the insert can hit.
            }
        }
        throw CharterStoreError(.conflict, "no free token prefix was found; try again")
    }

    /// Every token, newest first; never the secret or its hash.
    public func list() async throws -> [APITokenRecord] {
        try await pool.withConnection { connection in
            try await connection.query("SELECT \(Self.recordColumns) FROM api_tokens ORDER BY id DESC").map(Self.record)
        }
    }

    /// Revokes token `id` at once: the next request with it is refused.
    public func revoke(id: Int64, by actor: String) async throws -> APITokenRecord {
        try await pool.withTransaction { connection in
            guard
                let row = try await connection.query(
                    """
                    UPDATE api_tokens SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL
                    RETURNING \(Self.recordColumns)
                    """
                ).first
            else {
                let exists = try await connection.query("SELECT 1 FROM api_tokens WHERE id = \(id)").first != nil
                throw CharterStoreError(
                    exists ? .conflict : .notFound,
                    exists ? "token \(id) is already revoked" : "there is no token \(id)")
            }
            let record = try Self.record(row)
            try await AuditTrail.append(
                on: connection, actor: actor, action: "token.revoke", entity: "api_token", entityID: String(id),
                details: ["prefix": record.prefix])
            return record
        }
    }

    /// The principal `tokenText` stands for, or nil when it is not a live token: malformed, unknown,
    /// wrong secret, expired or revoked — the caller answers all of them the same way.
    ///
    /// The stored hash is compared in constant time. A rep token's principal carries the employers
    /// the rep covers now, read from `rep_coverage`; the actor is `token:<prefix>`. The token's
    /// `last_used_at` is brought up to date when it is older than `lastUsedResolution`, so a busy
    /// payroll system does not turn every request into a write.
    public func authenticate(_ tokenText: String) async throws -> Principal? {
        guard let prefix = APIToken.parse(tokenText)?.prefix else { return nil }
        return try await pool.withConnection { connection -> Principal? in
            guard
                let row = try await connection.query(
                    PGQuery(
                        """
                            SELECT t.id, t.token_hash, t.role, t.employer_id, t.rep_id,
                               t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()) AS live,
                               t.last_used_at IS NULL
                                   OR t.last_used_at <= now() - make_interval(secs => \(Self.lastUsedResolution))
                                   AS stale,
                               ARRAY(SELECT c.employer_id FROM rep_coverage c WHERE c.rep_id = t.rep_id
                                     ORDER BY c.employer_id) AS covers
                        FROM api_tokens t WHERE t.prefix = \(prefix)
                        """
                    ).prepared()
                ).first
            else { return nil }
            let stored = try row.decode(PGBytes.self, column: "token_hash").bytes
            guard APIToken.verify(tokenText, against: stored), try row.decode(Bool.self, column: "live") else {
                return nil
            }
            let id = try row.decode(Int64.self, column: "id")
            let roleText = try row.decode(String.self, column: "role")
            guard let role = Role(rawValue: roleText) else {
                throw CharterStoreError(.invalid, "token \(id) has an unknown role \(roleText)")
            }
            let principal = try RoleBinding.principal(
                role: role, employerID: try row.decode(Int64?.self, column: "employer_id"),
                repID: try row.decode(Int64?.self, column: "rep_id"),
                covers: try row.decode([Int64].self, column: "covers"),
                actor: Principal.tokenActor(prefix: prefix))
            if try row.decode(Bool.self, column: "stale") {
                // The condition again in the UPDATE: of two requests racing here, one writes.
                try await connection.execute(
                    """
                    UPDATE api_tokens SET last_used_at = now()
                    WHERE id = \(id)
                      AND (last_used_at IS NULL
                           OR last_used_at <= now() - make_interval(secs => \(Self.lastUsedResolution)))
                    """)
            }
            return principal
        }
    }

    static let recordColumns: PGQuery =
        "id, prefix, label, role, employer_id, rep_id, created_by, created_at, expires_at, revoked_at, last_used_at"

    static func record(_ row: PGRow) throws -> APITokenRecord {
        let roleText = try row.decode(String.self, column: "role")
        guard let role = Role(rawValue: roleText) else {
            throw CharterStoreError(.invalid, "a stored token has an unknown role \(roleText)")
        }
        return APITokenRecord(
            id: try row.decode(Int64.self, column: "id"), prefix: try row.decode(String.self, column: "prefix"),
            label: try row.decode(String?.self, column: "label"), role: role,
            employerID: try row.decode(Int64?.self, column: "employer_id"),
            repID: try row.decode(Int64?.self, column: "rep_id"),
            createdBy: try row.decode(String.self, column: "created_by"),
            createdAt: try row.decode(Date.self, column: "created_at"),
            expiresAt: try row.decode(Date?.self, column: "expires_at"),
            revokedAt: try row.decode(Date?.self, column: "revoked_at"),
            lastUsedAt: try row.decode(Date?.self, column: "last_used_at"))
    }

    /// An instant as ISO 8601 in UTC, for sentences and audit details.
    static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}

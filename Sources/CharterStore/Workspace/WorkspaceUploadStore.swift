import CharterAccess
public import Foundation
public import PGClient

/// Files uploaded in the workspace to be previewed before they are applied (a GPG import): kept in
/// `workspace_uploads` under a random id, bound to whoever uploaded them, until confirmed or expired.
///
/// The preview page shows what the file would do; its confirm form names the upload by id, and the
/// confirming request gets back exactly the bytes that were previewed — and only when it comes from the
/// same person before the upload expires. Taking the upload deletes it, so a file is applied once.
public struct WorkspaceUploadStore: Sendable {
    public let pool: PGPool
    /// How long an upload waits for its confirmation. Default: one hour.
    public let lifetime: TimeInterval

    /// The kinds of upload (`workspace_uploads.kind`).
    public enum Kind: String, Sendable {
        case gpgImport = "gpg-import"
    }

    /// An upload as kept.
    public struct Upload: Sendable {
        public var id: String
        public var filename: String
        public var content: [UInt8]
        public var expiresAt: Date
    }

    public init(pool: PGPool, lifetime: TimeInterval = 60 * 60) {
        self.pool = pool
        self.lifetime = lifetime
    }

    /// Keeps `content` for `owner` (an actor, e.g. `user:7`); returns its id. Expired uploads go as a new
    /// one comes, so the table does not grow.
    public func keep(
        kind: Kind, filename: String, content: [UInt8], owner: String, now: Date = Date()
    ) async throws -> Upload {
        let id = SessionToken.generate().text
        let expiresAt = now.addingTimeInterval(lifetime)
        try await pool.withTransaction { connection in
            try await connection.execute("DELETE FROM workspace_uploads WHERE expires_at <= \(now)")
            try await connection.execute(
                """
                INSERT INTO workspace_uploads (id, owner, kind, filename, content, created_at, expires_at)
                VALUES (\(id), \(owner), \(kind.rawValue), \(filename), \(PGBytes(content)), \(now), \(expiresAt))
                """)
        }
        return Upload(id: id, filename: filename, content: content, expiresAt: expiresAt)
    }

    /// The upload `id` of `owner`, still live; nil when there is none (unknown, someone else's, expired,
    /// or already confirmed).
    public func find(id: String, kind: Kind, owner: String, now: Date = Date()) async throws -> Upload? {
        try await pool.withConnection { connection in
            try await Self.find(id: id, kind: kind, owner: owner, now: now, on: connection)
        }
    }

    /// Takes upload `id` of `owner` inside the caller's transaction — deletes it and returns it — so the
    /// change made from it and its removal commit together; nil when there is none.
    public static func take(
        id: String, kind: Kind, owner: String, now: Date = Date(), on connection: PGConnection
    ) async throws -> Upload? {
        guard let upload = try await find(id: id, kind: kind, owner: owner, now: now, on: connection, lock: true)
        else { return nil }
        try await connection.execute("DELETE FROM workspace_uploads WHERE id = \(id)")
        return upload
    }

    private static func find(
        id: String, kind: Kind, owner: String, now: Date, on connection: PGConnection, lock: Bool = false
    ) async throws -> Upload? {
        var query: PGQuery = """
            SELECT id, filename, content, expires_at FROM workspace_uploads
            WHERE id = \(id) AND kind = \(kind.rawValue) AND owner = \(owner) AND expires_at > \(now)
            """
        if lock { query.append(" FOR UPDATE") }
        return try await connection.query(query).first.map { row in
            Upload(
                id: try row.decode(String.self, column: "id"),
                filename: try row.decode(String.self, column: "filename"),
                content: try row.decode(PGBytes.self, column: "content").bytes,
                expiresAt: try row.decode(Date.self, column: "expires_at"))
        }
    }
}

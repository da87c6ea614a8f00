public import Logging

/// Applies versioned migrations in order, each in its own transaction, recording each with its
/// checksum in `schema_migrations`.
///
/// A session-level advisory lock serialises concurrent migrators (several daemons starting at
/// once): the second waits, then finds nothing left to do. An applied migration whose text has
/// changed since is a clear error naming the file; nothing is applied then.
///
/// A role that may not create objects (a least-privilege runtime role) can still run `migrate` on a
/// current schema — it finds nothing to do and creates nothing — so a daemon that migrates at start-up
/// may connect as such a role once the schema's owner has applied the migrations.
public struct PGMigrator: Sendable {
    public let migrations: [PGMigration]
    /// The advisory-lock key shared by every migrator of one schema.
    public let lockKey: Int64
    let logger: Logger

    public init(migrations: [PGMigration], lockKey: Int64, logger: Logger = Logger(label: "pg.migrate")) {
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.lockKey = lockKey
        self.logger = logger
    }

    /// What a migration run found and did.
    public struct Report: Sendable, Hashable {
        /// Migrations applied by this run, in order.
        public var applied: [PGMigration]
        /// Migrations that were already in place.
        public var alreadyApplied: Int
    }

    /// Where the database stands against `migrations`.
    public struct Status: Sendable, Hashable {
        public var pending: [PGMigration]
        /// Applied files whose text differs from ours.
        public var changed: [PGMigration]
        /// Versions the database has that we do not know (a newer build migrated it).
        public var unknownVersions: [Int]
        public var isCurrent: Bool { pending.isEmpty && changed.isEmpty }
    }

    /// Applies every pending migration.
    public func migrate(on connection: PGConnection) async throws -> Report {
        try await connection.execute("SELECT pg_advisory_lock(\(lockKey))")
        do {
            let report = try await migrateLocked(on: connection)
            try await connection.execute("SELECT pg_advisory_unlock(\(lockKey))")
            return report
        } catch {
            await connection.rollbackIfOpen()
            _ = try? await connection.execute("SELECT pg_advisory_unlock(\(lockKey))")
            throw error
        }
    }

    /// Compares the database with `migrations` without changing anything.
    public func status(on connection: PGConnection) async throws -> Status {
        let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
        guard try exists.first?.decode(Bool.self, column: "present") == true else {
            return Status(pending: migrations, changed: [], unknownVersions: [])
        }
        let rows = try await connection.query("SELECT version, checksum FROM schema_migrations ORDER BY version")
        var applied: [Int: String] = [:]
        for row in rows {
            applied[try row.decode(Int.self, column: "version")] = try row.decode(String.self, column: "checksum")
        }
        let known = Set(migrations.map(\.version))
        return Status(
            pending: migrations.filter { applied[$0.version] == nil },
            changed: migrations.filter { migration in
                applied[migration.version].map { $0 != migration.checksum } ?? false
            },
            unknownVersions: applied.keys.filter { !known.contains($0) }.sorted())
    }

    private func migrateLocked(on connection: PGConnection) async throws -> Report {
        // Not CREATE TABLE IF NOT EXISTS: PostgreSQL checks the CREATE privilege on the schema even when
        // the table exists, which a runtime role without it would fail.
        let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
        if try exists.first?.decode(Bool.self, column: "present") != true {
            do {
                try await connection.simpleQuery(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version integer PRIMARY KEY,
                        name text NOT NULL,
                        checksum text NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """)
            } catch let error as PGError where error.sqlState == .insufficientPrivilege {
                throw refused(error, pending: migrations.first?.fileName ?? "schema_migrations")
            }
        }
        let status = try await status(on: connection)
        if let changed = status.changed.first {
            throw PGError(
                .migration,
                message: "migration \(changed.fileName) was changed after it was applied (its checksum differs);"
                    + " restore the original file and put the change in a new migration")
        }
        for migration in status.pending {
            logger.info("applying migration", metadata: ["file": "\(migration.fileName)"])
            do {
                try await connection.withTransaction { connection in
                    try await connection.simpleQuery(migration.sql)
                    try await connection.execute(
                        """
                        INSERT INTO schema_migrations (version, name, checksum)
                        VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                        """)
                }
            } catch let error as PGError {
                if error.sqlState == .insufficientPrivilege { throw refused(error, pending: migration.fileName) }
                var wrapped = error
                wrapped.message = "migration \(migration.fileName) failed: \(error.message)"
                throw wrapped
            }
        }
        return Report(applied: status.pending, alreadyApplied: migrations.count - status.pending.count)
    }

    /// A role without the privileges to migrate (a least-privilege runtime role) gets a sentence saying
    /// who should, rather than the bare "permission denied".
    private func refused(_ error: PGError, pending fileName: String) -> PGError {
        PGError(
            .migration,
            message: "migration \(fileName) is pending and this database role may not apply it (\(error.message));"
                + " apply migrations as the schema's owner first")
    }
}

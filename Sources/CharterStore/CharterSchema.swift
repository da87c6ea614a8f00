public import Logging
public import PGClient
import Scheduling

/// The CharterWatch schema: the migrations under `sql/migrations`, embedded at build time, and the
/// scheduler's own (`SchedulingSchema`), applied together by one migrator.
public enum CharterSchema {
    /// Every migration, in version order: the charter's and the scheduler's share one numbering.
    public static let migrations: [PGMigration] =
        (embeddedMigrationFiles.compactMap { PGMigration(fileName: $0.fileName, sql: $0.sql) }
        + SchedulingSchema.migrations).sorted { $0.version < $1.version }

    /// The advisory-lock key every CharterWatch migrator takes ("CharterW" in ASCII).
    public static let migrationLockKey: Int64 = 0x4368_6172_7465_7257

    public static func migrator(logger: Logger = Logger(label: "charter.migrate")) -> PGMigrator {
        PGMigrator(migrations: migrations, lockKey: migrationLockKey, logger: logger)
    }
}

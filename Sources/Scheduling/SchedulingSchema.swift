public import PGClient

/// The scheduler's own schema changes, under `sql/scheduling` and embedded at build time: the module
/// that reads and writes `job_runs` owns the changes to it.
///
/// They share the charter's numbering and its `schema_migrations` table, and the charter's migrator
/// applies them with its own (`CharterSchema.migrations`), so a database has one schema history. The
/// table itself was created by the charter's `0003_operations_and_security.sql` before the scheduler
/// had a list of its own; that file stays as it was applied, since a changed checksum would stop every
/// existing database from starting.
public enum SchedulingSchema {
    /// The scheduler's migrations, in version order.
    public static let migrations: [PGMigration] = embeddedMigrationFiles.compactMap {
        PGMigration(fileName: $0.fileName, sql: $0.sql)
    }.sorted { $0.version < $1.version }
}

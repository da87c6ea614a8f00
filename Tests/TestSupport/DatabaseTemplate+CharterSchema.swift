import CharterStore
import PGClient

extension DatabaseTemplate {
    /// The whole CharterWatch schema, migrated once per test run: what most suites start from.
    ///
    /// Suites that test migrating itself (the migrator, charterd's and charterctl's start) still begin
    /// from an empty database (`TestCluster.freshDatabase(_:)`).
    public static let charterSchema = DatabaseTemplate(name: "charter_schema_template") { conninfo in
        try await PGConnection.with(conninfo) { connection in
            _ = try await CharterSchema.migrator().migrate(on: connection)
        }
    }
}

extension TestCluster {
    /// A fresh database with the whole CharterWatch schema applied, and its conninfo.
    public static func migratedDatabase(_ label: String) async throws -> String {
        try await freshDatabase(label, copying: .charterSchema)
    }
}

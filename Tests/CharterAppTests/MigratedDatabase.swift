import CharterStore
import PGClient
import TestSupport

/// A fresh database on the test cluster with the whole schema applied, and a pool on it: what most
/// suites here start from.
struct MigratedDatabase {
    let conninfo: String
    let pool: PGPool

    init(_ label: String) async throws {
        conninfo = try await TestCluster.freshDatabase(label)
        pool = PGPool(configuration: PGPoolConfiguration(conninfo: conninfo))
        try await pool.withConnection { _ = try await CharterSchema.migrator().migrate(on: $0) }
    }
}

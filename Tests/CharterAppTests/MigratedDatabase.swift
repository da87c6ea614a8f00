import CharterStore
import PGClient
import TestSupport

/// A fresh database on the test cluster with the whole schema applied, and a pool on it: what most
/// suites here start from. The test run's audit key is in use, as charterd's is.
struct MigratedDatabase {
    let conninfo: String
    let pool: PGPool

    init(_ label: String) async throws {
        conninfo = try await TestCluster.migratedDatabase(label)
        pool = PGPool(configuration: PGPoolConfiguration(conninfo: conninfo))
        let key = try AuditKey(hex: TestAuditKey.hex)
        try AuditTrail.useKey(key)
        try await pool.withConnection { connection in
            // As charterd starts: the (empty) chain bound to the run's key.
            try await AuditTrail.seal(on: connection, key: key, actor: "test")
        }
    }
}

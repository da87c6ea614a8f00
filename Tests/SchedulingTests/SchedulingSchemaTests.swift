import CharterStore
import PGClient
import Scheduling
import TestSupport
import Testing

/// The scheduler's own migrations (`job_runs`, the hand-run columns) within the one schema history.
@Suite("The scheduler's migrations", .timeLimit(.minutes(10)))
struct SchedulingSchemaTests {
    /// The scheduler owns its migrations now; a database that applied them when they lived with the
    /// charter's must still be current, so each keeps its version and its text (the checksum recorded
    /// in `schema_migrations` by then), and no version is used twice.
    @Test func theSchedulersMigrationsKeepTheirPlaceInTheOneHistory() async throws {
        let versions = CharterSchema.migrations.map(\.version)
        #expect(Set(versions).count == versions.count)
        let handRuns = try #require(SchedulingSchema.migrations.first { $0.version == 14 })
        #expect(handRuns.checksum == "424f7951b37f660b96c1e061098fa79ff6d23d19a79d19f747b1f48c26b2dfab")
        #expect(CharterSchema.migrations.contains(handRuns))
        let conninfo = try await TestCluster.freshDatabase("sched-schema")
        try await PGConnection.with(conninfo) { connection in
            _ = try await CharterSchema.migrator().migrate(on: connection)
            let column = try await connection.query(
                """
                SELECT count(*) AS n FROM information_schema.columns
                WHERE table_name = 'job_runs' AND column_name = 'triggered_by'
                """)
            #expect(try column.first?.decode(Int.self, column: "n") == 1)
        }
    }
}

import CharterAccess
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import PGClient
import TestSupport
import Testing

/// The backup procedure of deploy/README.md: `pg_dump -Fc` of a database in use, `pg_restore` into a
/// fresh database, and everything is found again — every row, and an audit chain that still verifies.
@Suite("Backup and restore with pg_dump and pg_restore", .timeLimit(.minutes(10)))
struct BackupRestoreTests {
    let fixture: StoreFixture
    init() async throws { fixture = try await StoreFixture("backup") }

    /// Employers with pledges, a return with worker lines, the flags a nightly run raises on it (one
    /// acknowledged), a rep, a token: rows in most tables and a dozen audit rows.
    func writeACharter() async throws {
        let pledges = PledgeStore(pool: fixture.pool)
        var employers: [Int64] = []
        for name in ["Mersey Care Homes Ltd", "Wirral Buses Ltd", "Halton Cleaning CIC"] {
            let employer = try await fixture.newEmployer(name)
            _ = try await pledges.add(
                employerID: employer, tier: .accredited, livingHours: false, overrides: PledgeOverrides(),
                validFrom: CalendarDate(iso: "2025-01-01")!, validTo: nil, actor: "test")
            employers.append(employer)
        }
        var lines = (1...20).map { ReturnText.line("W\($0)") }
        lines[0] = ReturnText.line("W1", rate: "12.00")  // below the Real Living Wage: a flag
        let outcome = try await fixture.returns.submit(
            ReturnSubmission(
                employerID: employers[0], submittedBy: "payroll", header: ReturnText.header(headcount: 20)),
            csv: ReturnText.chunks(ReturnText.csv(lines)))
        guard case .accepted = outcome else {
            Issue.record("return not accepted: \(outcome)")
            return
        }
        _ = try await NightlyCompliance(pool: fixture.pool).run(asOf: CalendarDate(iso: "2026-11-01")!)
        // A rep acknowledges one: an event in its history beside the opening the flag keeps.
        let flagID = Int64(try await fixture.count("SELECT min(id)::int FROM flags"))
        try await FlagStore(pool: fixture.pool).act(
            .acknowledge, on: flagID, role: .rep, actor: "user:3", note: "Raised with the employer")
        let rep = try await fixture.reps.add(
            name: "Jo", email: "jo@unite.org", unionName: "Unite", covers: employers, actor: "admin")
        _ = try await fixture.tokens.create(
            role: .rep, employerID: nil, repID: rep.id, label: "jo", expiresAt: nil, createdBy: "admin")
    }

    /// Row counts of every table in the schema.
    func counts(_ conninfo: String) async throws -> [String: Int] {
        try await PGConnection.with(conninfo) { connection in
            var counts: [String: Int] = [:]
            let tables = try await connection.query(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
            for row in tables {
                let table = try row.decode(String.self, column: "tablename")
                let count = try await connection.query("SELECT count(*) AS n FROM \(identifier: table)")
                counts[table] = try count.first?.decode(Int.self, column: "n")
            }
            return counts
        }
    }

    func run(_ name: String, _ arguments: [String]) async throws {
        let process = try SpawnedProcess(
            TestCluster.program(name), arguments,
            environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") })
        let status = try await process.exitStatus()
        #expect(status == 0, "\(name) \(arguments.joined(separator: " ")):\n\(process.standardError)")
    }

    @Test func aRestoredDumpHoldsEveryRowAndItsAuditChainVerifies() async throws {
        try await writeACharter()
        let before = try await counts(fixture.conninfo)
        for table in ["employers", "pledges", "return_versions", "worker_lines", "flags", "flag_events", "audit_log"] {
            #expect((before[table] ?? 0) > 0, "no rows in \(table) to back up")
        }

        let dump = FileManager.default.temporaryDirectory.appending(path: "charterwatch-\(UUID().uuidString).dump")
        defer { try? FileManager.default.removeItem(at: dump) }
        try await run("pg_dump", ["-Fc", "--file", dump.path, "--dbname", fixture.conninfo])
        let restored = try await TestCluster.freshDatabase("restored")
        try await run("pg_restore", ["--exit-on-error", "--no-password", "--dbname", restored, dump.path])

        #expect(try await counts(restored) == before)
        let pool = PGPool(configuration: PGPoolConfiguration(conninfo: restored))
        let verification = try await pool.withConnection { try await AuditTrail.verify(on: $0) }
        #expect(verification.isIntact, "\(String(describing: verification.firstBreak))")
        #expect(verification.rowsChecked == before["audit_log"])
        let original = try await fixture.pool.withConnection { try await AuditTrail.verify(on: $0) }
        #expect(verification.headHash == original.headHash)

        // The restored database carries on: the schema is current and the chain grows from its head.
        let status = try await pool.withConnection { try await CharterSchema.migrator().status(on: $0) }
        #expect(status.isCurrent)
        _ = try await EmployerStore(pool: pool).add(Employer(name: "Sefton Libraries"), actor: "test")
        let grown = try await pool.withConnection { try await AuditTrail.verify(on: $0) }
        #expect(grown.isIntact)
        #expect(grown.rowsChecked == (before["audit_log"] ?? 0) + 1)
    }
}

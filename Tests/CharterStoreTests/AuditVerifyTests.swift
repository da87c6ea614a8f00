import CharterAccess
import CharterDomain
import CharterStore
import Foundation
import PGClient
import Testing

@Suite("Verifying the audit chain", .timeLimit(.minutes(10)))
struct AuditVerifyTests {
    let fixture: StoreFixture
    init() async throws { fixture = try await StoreFixture("auditverify") }

    func verify(batchSize: Int = 10_000) async throws -> AuditVerification {
        try await fixture.pool.withConnection { try await AuditTrail.verify(on: $0, batchSize: batchSize) }
    }

    /// Seven audited changes of four kinds: employers, a rep, a token, its revocation.
    func writeAuditedChanges() async throws {
        let a = try await fixture.newEmployer("A Ltd")
        let b = try await fixture.newEmployer("B Ltd")
        let rep = try await fixture.reps.add(
            name: "Jo", email: "jo@unite.org", unionName: nil, covers: [a], actor: "admin")
        _ = try await fixture.reps.setCoverage(repID: rep.id, employerIDs: [a, b], actor: "admin")
        let token = try await fixture.tokens.create(
            role: .employer, employerID: b, repID: nil, label: "payroll", expiresAt: nil, createdBy: "admin")
        _ = try await fixture.tokens.revoke(id: token.record.id, by: "admin")
        _ = try await fixture.newEmployer("C Ltd")
    }

    /// Runs `statement` as the superuser would, with the append-only trigger off for its duration.
    func tamper(_ statement: PGQuery) async throws {
        try await fixture.pool.withConnection { connection in
            try await connection.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
            try await connection.execute(statement)
            try await connection.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
        }
    }

    @Test func anEmptyLogAndAnUntouchedChainAreIntact() async throws {
        let empty = try await verify()
        #expect(
            empty == AuditVerification(rowsChecked: 0, headHash: String(repeating: "0", count: 64), firstBreak: nil))

        try await writeAuditedChanges()
        let result = try await verify()
        #expect(result.isIntact)
        #expect(result.rowsChecked == 7)
        let head = try await fixture.pool.withConnection { connection in
            try #require(try await connection.query("SELECT encode(row_hash, 'hex') AS hex FROM audit_head").first)
                .decode(String.self, column: "hex")
        }
        #expect(result.headHash == head)
        // Batches meet exactly: the link from one batch's last row to the next batch's first is checked.
        #expect(try await verify(batchSize: 2) == result)
        #expect(try await verify(batchSize: 7) == result)
    }

    @Test func aRowChangedBehindTheApplicationsBackIsNamed() async throws {
        try await writeAuditedChanges()
        let target = try await fixture.count("SELECT id FROM audit_log ORDER BY id OFFSET 3 LIMIT 1")
        try await tamper(
            "UPDATE audit_log SET details = jsonb_set(details, '{name}', '\"Mallory\"') WHERE id = \(Int64(target))")
        for batchSize in [10_000, 2] {
            let result = try await verify(batchSize: batchSize)
            #expect(result.firstBreak?.rowID == Int64(target))
            #expect(result.firstBreak?.problem == .contentAltered)
            #expect(
                result.firstBreak?.message
                    == "row \(target): content altered: its hash no longer matches what it records")
            #expect(result.rowsChecked == 4)
            #expect(result.headHash == nil)
        }
    }

    @Test func aRowRemovedFromTheMiddleBreaksTheChainAtTheNextRow() async throws {
        try await writeAuditedChanges()
        let ids = try await fixture.pool.withConnection { connection in
            try await connection.query("SELECT id FROM audit_log ORDER BY id").map { try $0.decode(Int64.self, at: 0) }
        }
        try await tamper("DELETE FROM audit_log WHERE id = \(ids[2])")
        let result = try await verify(batchSize: 2)
        #expect(result.firstBreak?.rowID == ids[3])
        #expect(result.firstBreak?.problem == .chainBroken)
        #expect(
            result.firstBreak?.message
                == "row \(ids[3]): chain broken: its prev_hash is not the hash of row \(ids[1]) before it"
                + " (a row between them was removed, or row \(ids[1]) was changed and rehashed)")
    }

    @Test func theFirstRowRemovedOrTheLastRemovedIsFound() async throws {
        try await writeAuditedChanges()
        let ids = try await fixture.pool.withConnection { connection in
            try await connection.query("SELECT id FROM audit_log ORDER BY id").map { try $0.decode(Int64.self, at: 0) }
        }
        try await tamper("DELETE FROM audit_log WHERE id = \(ids[6])")
        let tail = try await verify()
        #expect(tail.firstBreak?.problem == .headMismatch)
        #expect(
            tail.firstBreak?.message
                == "head mismatch: audit_head names row \(ids[6]) but the last row is \(ids[5]) (rows at the end were removed)"
        )
        #expect(tail.rowsChecked == 6)

        try await tamper("DELETE FROM audit_log WHERE id = \(ids[0])")
        let head = try await verify()
        #expect(head.firstBreak?.rowID == ids[1])
        #expect(head.firstBreak?.problem == .chainBroken)
    }

    @Test func theDatabaseRefusesPlainUpdatesAndDeletes() async throws {
        try await writeAuditedChanges()
        for statement: PGQuery in [
            "UPDATE audit_log SET details = '{}' WHERE id = (SELECT min(id) FROM audit_log)",
            "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)",
        ] {
            let error = await #expect(throws: PGError.self) {
                try await fixture.pool.withConnection { try await $0.execute(statement) }
            }
            #expect(error?.sqlState == .insufficientPrivilege)
            #expect(error?.message.contains("the audit log is append-only") == true)
        }
        #expect(try await verify().rowsChecked == 7)
    }
}

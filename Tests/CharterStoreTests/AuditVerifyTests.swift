import CharterAccess
import CharterDomain
import Foundation
import PGClient
import TestSupport
import Testing

@testable import CharterStore

@Suite("Verifying the audit chain", .timeLimit(.minutes(10)))
struct AuditVerifyTests {
    let fixture: StoreFixture
    init() async throws { fixture = try await StoreFixture("auditverify") }

    /// Runs `body` on a connection of its own to `conninfo` (the fixture's database by default).
    func onConnection<Result: Sendable>(
        to conninfo: String? = nil, _ body: (PGConnection) async throws -> Result
    ) async throws -> Result {
        try await PGConnection.with(conninfo ?? fixture.conninfo, body)
    }

    func verify(
        key: AuditKey? = nil, publishedHead: String? = nil, batchSize: Int = 10_000, on conninfo: String? = nil
    ) async throws -> AuditVerification {
        let key = try key ?? StoreFixture.auditKey()
        return try await onConnection(to: conninfo) {
            try await AuditTrail.verify(
                on: $0, key: key, publishedHead: publishedHead.map(Self.bytes(ofHex:)), batchSize: batchSize)
        }
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

    func ids(on conninfo: String? = nil) async throws -> [Int64] {
        try await onConnection(to: conninfo) { connection in
            try await connection.query("SELECT id FROM audit_log ORDER BY id").map { try $0.decode(Int64.self, at: 0) }
        }
    }

    /// Runs `statement` as the superuser would, with the append-only trigger off for its duration.
    func tamper(_ statement: PGQuery, on conninfo: String? = nil) async throws {
        try await onConnection(to: conninfo) { connection in
            try await connection.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
            try await connection.execute(statement)
            try await connection.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
        }
    }

    /// What a superuser does to hide a change: every row after `id` (all rows when nil) gets its
    /// `prev_hash` and `row_hash` recomputed with `hash`, and the head follows — everything but the key.
    func recomputeChain(
        after id: Int64?, through last: Int64? = nil, on conninfo: String? = nil,
        hash: ([UInt8], String) -> [UInt8]
    ) async throws {
        try await onConnection(to: conninfo) { connection in
            let start = try await connection.query(
                "SELECT row_hash FROM audit_log WHERE id <= \(id ?? 0) ORDER BY id DESC LIMIT 1"
            ).first?.decode(PGBytes.self, column: "row_hash").bytes
            var previous = start ?? [UInt8](repeating: 0, count: 32)
            let rows = try await connection.query(
                """
                SELECT id, audit_canonical(at, actor, action, entity, entity_id, details) AS canonical FROM audit_log
                WHERE id > \(id ?? 0) AND id <= \(last ?? Int64.max) ORDER BY id
                """)
            try await connection.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
            for row in rows {
                let rowHash = hash(previous, try row.decode(String.self, column: "canonical"))
                try await connection.execute(
                    """
                    UPDATE audit_log SET prev_hash = \(PGBytes(previous)), row_hash = \(PGBytes(rowHash))
                    WHERE id = \(try row.decode(Int64.self, column: "id"))
                    """)
                previous = rowHash
            }
            try await connection.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
            if last == nil {
                try await connection.execute(
                    """
                    UPDATE audit_head SET row_hash = \(PGBytes(previous)), last_id = (SELECT max(id) FROM audit_log)
                    """)
            }
        }
    }

    static func bytes(ofHex text: String) -> [UInt8] {
        stride(from: 0, to: text.count, by: 2).map {
            let start = text.index(text.startIndex, offsetBy: $0)
            return UInt8(text[start..<text.index(start, offsetBy: 2)], radix: 16) ?? 0
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
        // Bound to the key from the first row on: nothing from before the key to vouch for.
        #expect(result.unkeyedRows == 0)
        #expect(result.firstKeyedRow == (try await ids()).first)
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
        let ids = try await ids()
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
        let ids = try await ids()
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

    /// The reported bug: a superuser deletes a row and recomputes the chain after it. With plain SHA-256
    /// (what the chain used to be) the rows are no longer keyed; with any other key their hashes are wrong.
    @Test(arguments: ["plain SHA-256", "another key"])
    func aSuperuserWhoRemovesARowAndRecomputesTheChainWithoutTheKeyIsCaught(recomputedWith: String) async throws {
        try await writeAuditedChanges()
        let ids = try await ids()
        let otherKey = AuditKey.random()
        try await tamper("DELETE FROM audit_log WHERE id = \(ids[2])")
        try await recomputeChain(after: ids[1]) { previous, canonical in
            recomputedWith == "another key"
                ? otherKey.rowHash(previous: previous, canonical: canonical)
                : AuditKey.unkeyedRowHash(previous: previous, canonical: canonical)
        }
        for batchSize in [10_000, 2] {
            let result = try await verify(batchSize: batchSize)
            #expect(!result.isIntact)
            #expect(result.firstBreak?.rowID == ids[3])
            #expect(result.rowsChecked == 3)
            if recomputedWith == "another key" {
                #expect(result.firstBreak?.problem == .contentAltered)
            } else {
                #expect(result.firstBreak?.problem == .notKeyed)
                #expect(
                    result.firstBreak?.message
                        == "row \(ids[3]): not keyed: its hash is plain SHA-256 where the audit key's HMAC belongs"
                        + " (the row was written or rewritten without the key: rows may have been removed or"
                        + " changed and the chain recomputed)")
            }
        }
    }

    /// Rewriting the whole chain without the key, seal and all, leaves no keyed row to vouch for it.
    @Test func aChainRecomputedWhollyWithoutTheKeyIsNotKeyed() async throws {
        try await writeAuditedChanges()
        try await recomputeChain(after: nil) { AuditKey.unkeyedRowHash(previous: $0, canonical: $1) }
        let result = try await verify()
        #expect(result.firstBreak?.problem == .notKeyed)
        #expect(
            result.firstBreak?.message
                == "not keyed: the chain records that it is keyed, but none of its 7 rows is hashed with the key"
                + " (the chain was rewritten without it)")
    }

    @Test func theWrongKeyIsRefusedWithASentence() async throws {
        try await writeAuditedChanges()
        let other = AuditKey.random()
        let result = try await verify(key: other)
        #expect(result.firstBreak?.problem == .wrongKey)
        #expect(result.rowsChecked == 0)
        #expect(
            result.firstBreak?.message.hasPrefix(
                "wrong key: the audit key given is not the key this chain is written with (the chain records key"
                    + " fingerprint ") == true, "\(result.firstBreak?.message ?? "")")
        #expect(result.firstBreak?.message.contains(TestAuditKey.hex) == false)
        // A charterd or charterctl started with it writes nothing under it.
        let refused = await #expect(throws: CharterStoreError.self) {
            try await fixture.pool.withConnection { try await AuditTrail.seal(on: $0, key: other, actor: "charterd") }
        }
        #expect(refused?.code == .auditKey)
        #expect(
            refused?.message.hasPrefix(
                "CHARTERD_AUDIT_KEY is not the key this database's audit chain is written with") == true)
        #expect(try await verify().isIntact)
    }

    /// What no key can prove on its own: rows cut from the end, with the head moved back to match,
    /// leave a shorter chain that verifies. A head published before the cut is then missing.
    @Test func aPublishedHeadProvesTheChainStillHoldsIt() async throws {
        try await writeAuditedChanges()
        let ids = try await ids()
        let published = try #require(try await verify().headHash)
        _ = try await fixture.newEmployer("D Ltd")

        let later = try await verify(publishedHead: published)
        #expect(later.isIntact)
        #expect(later.rowsChecked == 8)
        #expect(later.publishedHead == .init(hash: published, rowID: ids[6], position: 7))
        let start = try await verify(publishedHead: String(repeating: "0", count: 64))
        #expect(start.publishedHead == .init(hash: String(repeating: "0", count: 64), rowID: nil, position: 0))

        let stranger = AuditTrail.hex(AuditKey.random().fingerprint)
        let missing = try await verify(publishedHead: stranger)
        #expect(missing.firstBreak?.problem == .publishedHeadMissing)
        #expect(
            missing.firstBreak?.message
                == "the published head \(stranger) is not in the chain: rows up to it were removed or rewritten,"
                + " or it was never this chain's head")

        try await tamper("DELETE FROM audit_log WHERE id >= \(ids[4])")
        try await tamper(
            "UPDATE audit_head SET last_id = \(ids[3]), row_hash = (SELECT row_hash FROM audit_log WHERE id = \(ids[3]))"
        )
        #expect(try await verify().isIntact)
        let cut = try await verify(publishedHead: published)
        #expect(cut.firstBreak?.problem == .publishedHeadMissing)
        #expect(cut.rowsChecked == 4)
    }

    /// A database whose chain began before the key (migrations up to 0012, rows from the old SQL
    /// `audit_append`) is sealed by the first keyed start and verifies; rewriting an old row and
    /// recomputing the old SHA-256 chain is then caught at the seal.
    @Test func aChainFromBeforeTheKeyIsSealedAndVerifies() async throws {
        let conninfo = try await TestCluster.freshDatabase("auditlegacy")
        try await onConnection(to: conninfo) { connection in
            let before = PGMigrator(
                migrations: CharterSchema.migrations.filter { $0.version <= 12 },
                lockKey: CharterSchema.migrationLockKey)
            _ = try await before.migrate(on: connection)
            for name in ["A Ltd", "B Ltd", "C Ltd"] {
                _ = try await connection.query(
                    """
                    SELECT audit_append('admin', 'employer.add', 'employer', NULL,
                                        jsonb_build_object('name', \(name)::text))
                    """)
            }
            _ = try await CharterSchema.migrator().migrate(on: connection)
        }

        let unsealed = try await verify(on: conninfo)
        #expect(unsealed.firstBreak?.problem == .notKeyed)
        #expect(
            unsealed.firstBreak?.message
                == "not keyed: none of the 3 rows is hashed with the audit key yet; run `charterctl migrate`"
                + " (or start charterd) to seal them under it")

        let key = try StoreFixture.auditKey()
        #expect(
            try await onConnection(to: conninfo) { try await AuditTrail.seal(on: $0, key: key, actor: "charterd") } == 3
        )
        #expect(
            try await onConnection(to: conninfo) { try await AuditTrail.seal(on: $0, key: key, actor: "charterd") } == 0
        )
        let pool = PGPool(configuration: PGPoolConfiguration(conninfo: conninfo))
        _ = try await EmployerStore(pool: pool).add(Employer(name: "D Ltd"), actor: "admin")
        await pool.close()
        let ids = try await ids(on: conninfo)
        let sealed = try await verify(on: conninfo)
        #expect(sealed.isIntact, "\(sealed.firstBreak?.message ?? "")")
        #expect(sealed.rowsChecked == 5)
        #expect(sealed.unkeyedRows == 3)
        #expect(sealed.firstKeyedRow == ids[3])
        let seal = try await onConnection(to: conninfo) { connection in
            let row = try await connection.query(
                "SELECT action, details::text AS details FROM audit_log WHERE id = \(ids[3])")[0]
            return [try row.decode(String.self, column: "action"), try row.decode(String.self, column: "details")]
        }
        #expect(seal == ["audit.seal", #"{"unkeyed_rows": 3}"#])

        // The old rows are as safe as the new: a rewritten one, its SHA-256 chain recomputed, is caught.
        try await tamper(
            "UPDATE audit_log SET details = '{\"name\": \"Mallory Ltd\"}' WHERE id = \(ids[0])", on: conninfo)
        try await recomputeChain(after: nil, through: ids[2], on: conninfo) {
            AuditKey.unkeyedRowHash(previous: $0, canonical: $1)
        }
        let rewritten = try await verify(on: conninfo)
        #expect(rewritten.firstBreak?.rowID == ids[3])
        #expect(rewritten.firstBreak?.problem == .chainBroken)
        #expect(rewritten.rowsChecked == 4)
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

import CharterDomain
import CharterStore
import Foundation
import PGClient
import TestSupport
import Testing

@Suite("Employers in the store", .timeLimit(.minutes(10)))
struct EmployerStoreTests {
    let fixture: StoreFixture
    init() async throws { fixture = try await StoreFixture("employers") }

    @Test func anEmployerIsStoredAndFoundAgain() async throws {
        let added = try await fixture.employers.add(
            Employer(
                name: "\"RED BAND\" CHEMICAL COMPANY, LIMITED", companyNumber: CompanyNumber("SC016876"),
                sicCodes: ["47730"], sector: .private, hasLondonWorkplaces: true),
            actor: "admin")
        let id = try #require(added.id)
        let found = try #require(try await fixture.employers.find(id: id))
        #expect(found == added)
        #expect(try await fixture.employers.list(search: "red band").map(\.id) == [id])
        #expect(try await fixture.employers.list(search: "100%").isEmpty)
        #expect(try await fixture.count("SELECT count(*) FROM audit_log WHERE action = 'employer.add'") == 1)
    }

    @Test func aCompanyNumberIsRegisteredOnce() async throws {
        _ = try await fixture.employers.add(
            Employer(name: "First", companyNumber: CompanyNumber("01234567")), actor: "admin")
        let error = await #expect(throws: CharterStoreError.self) {
            _ = try await fixture.employers.add(
                Employer(name: "Second", companyNumber: CompanyNumber("01234567")), actor: "admin")
        }
        #expect(error?.code == .conflict)
        #expect(error?.message.contains("company number 01234567 is already registered to employer") == true)
        #expect(error?.message.contains("(First)") == true)
        #expect(try await fixture.count("SELECT count(*) FROM employers") == 1)
    }

    @Test func reimportingUpdatesByCompanyNumberOrGPGIdAndNeverDuplicates() async throws {
        let batch = [
            Employer(
                name: "Alpha Ltd", companyNumber: CompanyNumber("00000001"), gpgEmployerID: 1, sizeBand: "250 to 499"),
            Employer(name: "Council of Somewhere", gpgEmployerID: 2, sector: .public),
        ]
        let first = try await fixture.employers.upsert(batch, actor: "admin", source: "gpg.csv")
        #expect(first.inserted == 2)
        let same = try await fixture.employers.upsert(batch, actor: "admin", source: "gpg.csv")
        #expect(same.unchanged == 2)
        var changed = batch
        changed[0].sizeBand = "500 to 999"
        changed[1].name = "Somewhere Council"
        let second = try await fixture.employers.upsert(changed, actor: "admin", source: "gpg.csv")
        #expect(second.updated == 2)
        #expect(try await fixture.count("SELECT count(*) FROM employers") == 2)
        #expect(try await fixture.employers.list(search: "Somewhere").first?.sector == .public)
        // Only the imports that changed something are audited.
        #expect(try await fixture.count("SELECT count(*) FROM audit_log WHERE action = 'employer.import'") == 2)
    }

    @Test func aGPGIdHeldByAnotherEmployerIsNotMovedByAnImport() async throws {
        // Registered by hand with its number; imported earlier without one.
        _ = try await fixture.employers.add(
            Employer(name: "Alpha", companyNumber: CompanyNumber("00000001")), actor: "admin")
        _ = try await fixture.employers.upsert(
            [Employer(name: "Alpha (GPG)", gpgEmployerID: 2)], actor: "admin", source: "a.csv")
        // A later file gives both: the number matches Alpha; the GPG id stays with the row that has it.
        let summary = try await fixture.employers.upsert(
            [Employer(name: "Alpha Ltd", companyNumber: CompanyNumber("00000001"), gpgEmployerID: 2)],
            actor: "admin", source: "b.csv")
        #expect(summary.updated == 1)
        let alpha = try #require(try await fixture.employers.list(search: "Alpha Ltd").first)
        #expect(alpha.companyNumber == CompanyNumber("00000001"))
        #expect(alpha.gpgEmployerID == nil)
        #expect(try await fixture.count("SELECT count(*) FROM employers") == 2)
    }

    @Test func theAuditChainLinksEveryRowUnderTheKey() async throws {
        for index in 1...5 { _ = try await fixture.employers.add(Employer(name: "Employer \(index)"), actor: "admin") }
        // Each row names the one before it, and none carries a hash anyone could recompute without the
        // key (plain SHA-256 of the same input, as the chain was before it was keyed).
        let chain = try await fixture.pool.withConnection { connection in
            try await connection.query(
                """
                SELECT count(*) FILTER (WHERE expected_prev IS NOT NULL AND expected_prev <> prev_hash) AS unlinked,
                       count(*) FILTER (WHERE unkeyed = row_hash) AS unkeyed
                FROM (
                    SELECT row_hash, prev_hash, lag(row_hash) OVER (ORDER BY id) AS expected_prev,
                           sha256(prev_hash || convert_to(
                               audit_canonical(at, actor, action, entity, entity_id, details), 'UTF8')) AS unkeyed
                    FROM audit_log) chain
                """)[0]
        }
        #expect(try chain.decode(Int.self, column: "unlinked") == 0)
        #expect(try chain.decode(Int.self, column: "unkeyed") == 0)
        let verified = try await fixture.pool.withConnection { try await AuditTrail.verify(on: $0) }
        #expect(verified.isIntact)
        #expect(verified.rowsChecked == 5)
    }
}

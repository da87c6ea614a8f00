import CharterStore
import Foundation
import PGClient
import Testing

@Suite("Reps in the store", .timeLimit(.minutes(10)))
struct RepStoreTests {
    let fixture: StoreFixture
    init() async throws { fixture = try await StoreFixture("reps") }

    @Test func aRepIsStoredWithTheEmployersTheyCover() async throws {
        let first = try await fixture.newEmployer("Wirral Care Ltd")
        let second = try await fixture.newEmployer("Sefton Buses Ltd")
        let rep = try await fixture.reps.add(
            name: " Jo Bloggs ", email: "jo.bloggs@unite.org", unionName: "Unite", covers: [second, first, second],
            actor: "admin")
        #expect(rep.name == "Jo Bloggs")
        #expect(rep.coveredEmployerIDs == [first, second].sorted())
        #expect(try await fixture.reps.list() == [rep])
        #expect(try await fixture.reps.find(id: rep.id) == rep)
        #expect(try await fixture.count("SELECT count(*) FROM audit_log WHERE action = 'rep.add'") == 1)
    }

    @Test func anUnknownEmployerIsNamedAndNothingIsStored() async throws {
        let known = try await fixture.newEmployer()
        let error = await #expect(throws: CharterStoreError.self) {
            try await fixture.reps.add(
                name: "Jo Bloggs", email: "jo@unite.org", unionName: nil, covers: [known, 999, 998], actor: "admin")
        }
        #expect(error?.code == .notFound)
        #expect(error?.message == "there are no employers 998, 999 to cover; nothing was stored")
        #expect(try await fixture.count("SELECT count(*) FROM reps") == 0)
        #expect(try await fixture.count("SELECT count(*) FROM audit_log WHERE entity = 'rep'") == 0)

        let one = await #expect(throws: CharterStoreError.self) {
            try await fixture.reps.add(name: "Jo", email: "jo@unite.org", unionName: nil, covers: [77], actor: "a")
        }
        #expect(one?.message == "there is no employer 77 to cover; nothing was stored")
    }

    @Test func anEmailIsOneRepsInAnyCase() async throws {
        let employer = try await fixture.newEmployer()
        let first = try await fixture.reps.add(
            name: "Jo Bloggs", email: "jo@unite.org", unionName: nil, covers: [employer], actor: "admin")
        let error = await #expect(throws: CharterStoreError.self) {
            try await fixture.reps.add(
                name: "Joanne Bloggs", email: "JO@Unite.org", unionName: nil, covers: [employer], actor: "admin")
        }
        #expect(error?.code == .conflict)
        #expect(error?.message == "JO@Unite.org is already the email of rep \(first.id) (Jo Bloggs)")
        #expect(try await fixture.count("SELECT count(*) FROM reps") == 1)
    }

    @Test func blankNamesAndMalformedEmailsAreRefused() async throws {
        let blank = await #expect(throws: CharterStoreError.self) {
            try await fixture.reps.add(name: "  ", email: "jo@unite.org", unionName: nil, covers: [], actor: "a")
        }
        #expect(blank?.message == "a rep needs a name")
        let malformed = await #expect(throws: CharterStoreError.self) {
            try await fixture.reps.add(name: "Jo", email: "Jo Bloggs", unionName: nil, covers: [], actor: "a")
        }
        #expect(malformed?.message.contains("\"Jo Bloggs\" is not an email address") == true)
        // Shaped like an address, but no message could carry it: the rep's notices would fail to render.
        let unmailable = await #expect(throws: CharterStoreError.self) {
            try await fixture.reps.add(
                name: "Jo", email: "jo..bloggs@unite.org", unionName: nil, covers: [], actor: "a")
        }
        #expect(unmailable?.message.contains("\"jo..bloggs@unite.org\" is not an email address") == true)
        #expect(try await fixture.count("SELECT count(*) FROM reps") == 0)
    }

    @Test func coverageIsReplacedAndEachChangeAudited() async throws {
        let (a, b, c) = (
            try await fixture.newEmployer("A Ltd"), try await fixture.newEmployer("B Ltd"),
            try await fixture.newEmployer("C Ltd")
        )
        let rep = try await fixture.reps.add(
            name: "Jo", email: "jo@unite.org", unionName: nil, covers: [a, b], actor: "admin")
        let changed = try await fixture.reps.setCoverage(repID: rep.id, employerIDs: [b, c], actor: "admin")
        #expect(changed.coveredEmployerIDs == [b, c])
        let details = try await fixture.pool.withConnection { connection in
            try await connection.query(
                "SELECT (details->'added')::text AS added, (details->'removed')::text AS removed FROM audit_log WHERE action = 'rep.coverage'"
            ).map { [try $0.decode(String.self, column: "added"), try $0.decode(String.self, column: "removed")] }
        }
        #expect(details == [["[\(c)]", "[\(a)]"]])

        // The same coverage again changes and records nothing.
        _ = try await fixture.reps.setCoverage(repID: rep.id, employerIDs: [c, b], actor: "admin")
        #expect(try await fixture.count("SELECT count(*) FROM audit_log WHERE action = 'rep.coverage'") == 1)

        let unknown = await #expect(throws: CharterStoreError.self) {
            try await fixture.reps.setCoverage(repID: rep.id, employerIDs: [a, 404], actor: "admin")
        }
        #expect(unknown?.message == "there is no employer 404 to cover; nothing was changed")
        #expect(try await fixture.reps.find(id: rep.id)?.coveredEmployerIDs == [b, c])

        let noRep = await #expect(throws: CharterStoreError.self) {
            try await fixture.reps.setCoverage(repID: 4242, employerIDs: [a], actor: "admin")
        }
        #expect(noRep?.message == "there is no rep 4242")
    }
}

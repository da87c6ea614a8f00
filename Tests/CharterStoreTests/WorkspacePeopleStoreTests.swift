import CharterAccess
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import PGClient
import Testing

/// The store methods the people side of the workspace adds: the employer list's filters, editing an
/// employer, removing a contact, ending a pledge, the GPG import's preview, uploads waiting for their
/// confirmation, and invitations with their one-time set-password links.
@Suite("The workspace's people in the store", .timeLimit(.minutes(10)))
struct WorkspacePeopleStoreTests {
    let fixture: StoreFixture

    init() async throws {
        fixture = try await StoreFixture("workspace-people")
    }

    static let jan2026 = CalendarDate(year: 2026, month: 1, day: 1)!

    @Test func theListFiltersBySearchSectorAndPledgeInForceAndCountsAll() async throws {
        let employers = fixture.employers
        let care = try #require(
            try await employers.add(
                Employer(name: "Sefton Care CIC", companyNumber: CompanyNumber("01234567"), sector: .voluntary),
                actor: "test"
            ).id)
        let ferries = try await fixture.newEmployer("Wirral Ferries Ltd")
        _ = try await fixture.newEmployer("Knowsley Council")
        _ = try await PledgeStore(pool: fixture.pool).add(
            employerID: ferries, tier: .accredited, livingHours: true, overrides: PledgeOverrides(),
            validFrom: Self.jan2026, validTo: nil, actor: "test")
        let today = CalendarDate(year: 2026, month: 12, day: 6)!

        let all = try await employers.page(EmployerFilter(asOf: today), offset: 0, limit: 2)
        #expect(all.total == 3)
        #expect(all.rows.map(\.employer.name) == ["Knowsley Council", "Sefton Care CIC"])
        let byNumber = try await employers.page(EmployerFilter(search: "0123", asOf: today), offset: 0, limit: 10)
        #expect(byNumber.rows.map(\.employer.id) == [care])
        let voluntary = try await employers.page(EmployerFilter(sector: .voluntary, asOf: today), offset: 0, limit: 10)
        #expect(voluntary.rows.map(\.employer.id) == [care])
        let accredited = try await employers.page(
            EmployerFilter(pledge: .accredited, asOf: today), offset: 0, limit: 10)
        #expect(accredited.rows.map(\.employer.id) == [ferries])
        #expect(accredited.rows.first?.livingHours == true)
        let none = try await employers.page(EmployerFilter(pledge: .noPledge, asOf: today), offset: 0, limit: 10)
        #expect(none.total == 2)
        // Before the pledge starts, nobody has one in force.
        let before = try await employers.page(
            EmployerFilter(pledge: .accredited, asOf: CalendarDate(year: 2025, month: 12, day: 31)!), offset: 0,
            limit: 10)
        #expect(before.total == 0)
    }

    @Test func anEditSavesAndIsAuditedAndATakenCompanyNumberIsAConflictNamingItsHolder() async throws {
        let employers = fixture.employers
        let first = try #require(
            try await employers.add(Employer(name: "A Ltd", companyNumber: CompanyNumber("11111111")), actor: "t").id)
        let second = try await fixture.newEmployer("B Ltd")
        let saved = try await employers.update(
            id: second, name: "B Limited", companyNumber: CompanyNumber("22222222"), sector: .public,
            hasLondonWorkplaces: true, actor: "user:1")
        #expect(saved.name == "B Limited")
        #expect(try await employers.find(id: second)?.hasLondonWorkplaces == true)
        #expect(try await fixture.count("SELECT count(*) FROM audit_log WHERE action = 'employer.update'") == 1)
        await #expect {
            _ = try await employers.update(
                id: second, name: "B Limited", companyNumber: CompanyNumber("11111111"), sector: .public,
                hasLondonWorkplaces: true, actor: "user:1")
        } throws: { error in
            (error as? CharterStoreError)?.code == .conflict
                && (error as? CharterStoreError)?.message.contains("employer \(first) (A Ltd)") == true
        }
        #expect(try await employers.find(id: second)?.companyNumber?.value == "22222222")
    }

    @Test func aContactIsRemovedOnlyFromItsOwnEmployer() async throws {
        let employers = fixture.employers
        let one = try await fixture.newEmployer("One Ltd")
        let two = try await fixture.newEmployer("Two Ltd")
        let contact = try await employers.addContact(
            employerID: one, name: "Pat", email: "pat@one.example", role: nil, actor: "t")
        await #expect(throws: CharterStoreError.self) {
            try await employers.removeContact(employerID: two, contactID: contact, actor: "t")
        }
        try await employers.removeContact(employerID: one, contactID: contact, actor: "user:1")
        #expect(try await employers.contacts(employerID: one).isEmpty)
        #expect(try await fixture.count("SELECT count(*) FROM audit_log WHERE action = 'contact.remove'") == 1)
    }

    @Test func aPledgeEndsAfterItStartsAndOnlyOnce() async throws {
        let employer = try await fixture.newEmployer()
        let pledges = PledgeStore(pool: fixture.pool)
        let pledge = try await pledges.add(
            employerID: employer, tier: .aspiring, livingHours: false, overrides: PledgeOverrides(),
            validFrom: Self.jan2026, validTo: nil, actor: "t")
        await #expect(throws: CharterStoreError.self) {
            _ = try await pledges.end(id: pledge.id, employerID: employer, on: Self.jan2026, actor: "t")
        }
        let april = CalendarDate(year: 2026, month: 4, day: 1)!
        let ended = try await pledges.end(id: pledge.id, employerID: employer, on: april, actor: "user:1")
        #expect(ended.validTo == april)
        await #expect(throws: CharterStoreError.self) {
            _ = try await pledges.end(
                id: pledge.id, employerID: employer, on: CalendarDate(year: 2026, month: 5, day: 1)!, actor: "t")
        }
        #expect(try await fixture.count("SELECT count(*) FROM audit_log WHERE action = 'pledge.end'") == 1)
    }

    @Test func theImportPreviewSaysWhatTheImportThenDoesAndWritesNothing() async throws {
        let employers = fixture.employers
        _ = try await employers.upsert(
            [
                Employer(name: "Kept Ltd", companyNumber: CompanyNumber("00000001"), gpgEmployerID: 1),
                Employer(name: "Old Name Ltd", companyNumber: CompanyNumber("00000002"), gpgEmployerID: 2),
            ], actor: "t", source: "first")
        let batch = [
            Employer(name: "Kept Ltd", companyNumber: CompanyNumber("00000001"), gpgEmployerID: 1),
            Employer(name: "New Name Ltd", companyNumber: CompanyNumber("00000002"), gpgEmployerID: 2),
            Employer(name: "Fresh Ltd", companyNumber: CompanyNumber("00000003"), gpgEmployerID: 3),
        ]
        let auditBefore = try await fixture.count("SELECT count(*) FROM audit_log")
        let preview = try await employers.previewUpsert(batch)
        #expect(preview.outcomes == [.unchanged, .updated, .added])
        #expect(try await fixture.count("SELECT count(*) FROM employers") == 2)
        #expect(try await fixture.count("SELECT count(*) FROM audit_log") == auditBefore)
        #expect(try await employers.list(search: "Old Name").count == 1)
        let done = try await employers.upsert(batch, actor: "t", source: "second")
        #expect(done == preview.summary)
        #expect(done.inserted == 1 && done.updated == 1 && done.unchanged == 1)
    }

    @Test func anUploadIsTakenOnceAndOnlyByWhoeverUploadedIt() async throws {
        let uploads = WorkspaceUploadStore(pool: fixture.pool)
        let kept = try await uploads.keep(
            kind: .gpgImport, filename: "gpg.csv", content: Array("a,b".utf8), owner: "user:1")
        #expect(try await uploads.find(id: kept.id, kind: .gpgImport, owner: "user:2") == nil)
        let taken = try await fixture.pool.withTransaction { connection in
            try await WorkspaceUploadStore.take(id: kept.id, kind: .gpgImport, owner: "user:1", on: connection)
        }
        #expect(taken?.content == Array("a,b".utf8))
        let again = try await fixture.pool.withTransaction { connection in
            try await WorkspaceUploadStore.take(id: kept.id, kind: .gpgImport, owner: "user:1", on: connection)
        }
        #expect(again == nil)
        // An expired upload is not found, and goes when the next one is kept.
        let old = try await uploads.keep(
            kind: .gpgImport, filename: "old.csv", content: [1], owner: "user:1", now: Date().addingTimeInterval(-7_200)
        )
        #expect(try await uploads.find(id: old.id, kind: .gpgImport, owner: "user:1") == nil)
        _ = try await uploads.keep(kind: .gpgImport, filename: "new.csv", content: [2], owner: "user:1")
        #expect(try await fixture.count("SELECT count(*) FROM workspace_uploads") == 1)
    }

    @Test func anInvitationMailsAOneTimeLinkThatSetsThePasswordAndEndsSessions() async throws {
        let users = UserStore(pool: fixture.pool, hasher: PasswordHasher(iterations: 1_000))
        let queue = ReportQueue(renderer: JSONReportRenderer())
        let link = try await users.invite(
            email: "new@charter.example", displayName: "New Person", role: .viewer, employerID: nil, repID: nil,
            by: "user:1", mail: queue)
        #expect(try await fixture.count("SELECT count(*) FROM users WHERE password_hash IS NULL") == 1)
        let message = try await fixture.pool.withConnection {
            try await $0.query("SELECT message FROM outbox_messages WHERE kind = 'invitation'")[0]
                .decode(PGBytes.self, column: "message").bytes
        }
        guard case .invitation(let notice) = try JSONReportRenderer.report(in: message) else {
            Issue.record("the outbox holds no invitation")
            return
        }
        #expect(notice.path == "/set-password?token=\(link.token)")
        #expect(notice.recipient.email == "new@charter.example")
        // The secret is stored only as its hash.
        #expect(try await fixture.count("SELECT count(*) FROM password_links WHERE purpose = 'invitation'") == 1)
        #expect(try await users.passwordLinkUser(token: link.token)?.id == link.user.id)

        await #expect(throws: CharterStoreError.self) {
            _ = try await users.setPassword(token: link.token, password: "short")
        }
        let user = try await users.setPassword(token: link.token, password: "a long enough passphrase")
        #expect(user.id == link.user.id)
        guard
            case .signedIn = try await users.signIn(
                email: "new@charter.example", password: "a long enough passphrase", remoteAddress: nil)
        else {
            Issue.record("the new password does not sign in")
            return
        }
        // Once used, the link is dead.
        #expect(try await users.passwordLinkUser(token: link.token) == nil)
        await #expect(throws: CharterStoreError.self) {
            _ = try await users.setPassword(token: link.token, password: "another long passphrase")
        }
        // A reset sends a new link; setting the password with it ends the user's sessions.
        let reset = try await users.sendPasswordReset(id: user.id, by: "user:1", mail: queue)
        #expect(try await fixture.count("SELECT count(*) FROM outbox_messages WHERE kind = 'invitation'") == 2)
        _ = try await users.setPassword(token: reset.token, password: "a third long passphrase")
        #expect(try await fixture.count("SELECT count(*) FROM sessions WHERE user_id = \(user.id)") == 0)
        // A second invitation to the same address is a conflict, and nothing more is queued.
        await #expect(throws: CharterStoreError.self) {
            _ = try await users.invite(
                email: "NEW@charter.example", displayName: "Again", role: .viewer, employerID: nil, repID: nil,
                by: "user:1", mail: queue)
        }
        #expect(try await fixture.count("SELECT count(*) FROM outbox_messages WHERE kind = 'invitation'") == 2)
        _ = try await users.disable(id: user.id, by: "user:1")
        let enabled = try await users.enable(id: user.id, by: "user:1")
        #expect(enabled.disabledAt == nil)
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM audit_log WHERE action IN ('user.invite', 'user.reset', 'user.set-password', 'user.enable')"
            ) == 5)
    }
}

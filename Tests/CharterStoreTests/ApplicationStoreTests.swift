import CharterAccess
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import PGClient
import Testing

/// SPEC §10 in the store: an application from the emailed link to the decision, each step audited and
/// emailed through the outbox; bad input refused with a sentence naming the field, storing nothing.
@Suite("Applications in the store", .timeLimit(.minutes(10)))
struct ApplicationStoreTests {
    let fixture: StoreFixture
    let store: ApplicationStore
    let queue = ReportQueue(renderer: JSONReportRenderer())

    init() async throws {
        fixture = try await StoreFixture("applications")
        store = ApplicationStore(pool: fixture.pool)
    }

    /// The application notices in the outbox, oldest first.
    func notices() async throws -> [ApplicationNotice] {
        try await fixture.pool.withConnection { connection in
            try await connection.query("SELECT message FROM outbox_messages WHERE kind = 'application' ORDER BY id")
                .map { row -> ApplicationNotice? in
                    guard
                        case .application(let notice) = try JSONReportRenderer.report(
                            in: try row.decode(PGBytes.self, column: "message").bytes)
                    else { return nil }
                    return notice
                }.compactMap { $0 }
        }
    }

    /// The secret of the link in `notice`.
    func token(_ notice: ApplicationNotice?) throws -> String {
        let path = try #require(notice?.path)
        return String(try #require(path.split(separator: "=").last))
    }

    func count(_ table: String, _ id: Int64) async throws -> Int {
        try await fixture.count("SELECT count(*) FROM \(PGQuery(unsafeSQL: table)) WHERE application_id = \(id)")
    }

    func audits(_ id: Int64) async throws -> [String] {
        try await fixture.pool.withConnection { connection in
            try await connection.query(
                "SELECT action FROM audit_log WHERE entity = 'application' AND entity_id = \(String(id)) ORDER BY id"
            ).map { try $0.decode(String.self, column: "action") }
        }
    }

    /// A confirmed application with every standard answered `met` and the details complete.
    func readyApplication(company: String = "IP012345", email: String = "robin@ferries.example") async throws
        -> Int64
    {
        let id = try await store.start(
            applicantName: "Robin Hughes", email: email, organisationName: "Mersey Ferries Co-operative",
            mail: queue)
        let link = try await notices().last { $0.applicationID == id && $0.step == .confirm }
        _ = try await store.useLink(token: try token(link))
        let application = try #require(try await store.find(id: id))
        try await store.save(
            id: id,
            details: ApplicationDetails(
                organisationName: "Mersey Ferries Co-operative", companyNumber: CompanyNumber(company),
                sector: .private,
                sizeBand: "250 to 499", hasLondonWorkplaces: false, contactName: "Robin Hughes", contactEmail: email,
                tier: .accredited, livingHours: true),
            answers: application.standards.map { StandardAnswer(standardID: $0.standard.id, assessment: .met) },
            requestAnswer: nil, actor: ApplicationStore.applicantActor(id))
        return id
    }

    @Test func fromTheEmailedLinkToAnAccreditedPledge() async throws {
        let id = try await store.start(
            applicantName: "Robin Hughes", email: "robin@ferries.example",
            organisationName: "Mersey Ferries Co-operative",
            mail: queue)
        #expect(try await store.find(id: id)?.status == .unconfirmed)
        // Until the address is confirmed, nothing can be filled in.
        await #expect(throws: CharterStoreError.self) {
            try await store.save(
                id: id, details: ApplicationDetails(organisationName: "X"), answers: [], requestAnswer: nil,
                actor: "applicant:\(id)")
        }
        let confirm = try #require(try await notices().first)
        #expect(confirm.step == .confirm && confirm.recipient.email == "robin@ferries.example")
        let session = try await store.useLink(token: try token(confirm))
        #expect(session.session.applicationID == id)
        #expect(try await store.session(cookieValue: session.cookieValue)?.applicationID == id)
        #expect(try await store.find(id: id)?.status == .draft)
        // A link works once.
        await #expect(throws: CharterStoreError.self) { _ = try await store.useLink(token: try token(confirm)) }

        // Sending it incomplete lists what is missing and leaves it with the applicant.
        do {
            try await store.submit(id: id, actor: "applicant:\(id)", mail: queue)
            Issue.record("an empty application was sent")
        } catch let problems as ApplicationProblems {
            let fields = Set(problems.problems.map(\.field))
            #expect(fields.contains("tier") && fields.contains("assessment-pay.real-living-wage"))
        }
        #expect(try await store.find(id: id)?.status == .draft)

        let ready = try await readyApplication(company: "IP012345", email: "alex@other.example")
        try await store.submit(id: ready, actor: "applicant:\(ready)", mail: queue)
        #expect(try await store.find(id: ready)?.status == .submitted)
        #expect(try await notices().last?.step == .received)

        // The charter team reviews, asks for more; the applicant answers and sends it again.
        try await store.review(
            id: ready, standardID: "pay.real-living-wage", verdict: .needsMore, note: "Which grades?", actor: "user:1")
        try await store.askForMore(id: ready, questions: "How many workers on grade A?", actor: "user:1", mail: queue)
        let asked = try #require(try await store.find(id: ready))
        #expect(asked.status == .moreRequested)
        #expect(asked.reviews["pay.real-living-wage"]?.verdict == .needsMore)
        let more = try #require(try await notices().last)
        #expect(more.step == .moreRequested && more.questions == "How many workers on grade A?")
        _ = try await store.useLink(token: try token(more))
        do {
            try await store.submit(id: ready, actor: "applicant:\(ready)", mail: queue)
            Issue.record("sent again without answering the questions")
        } catch let problems as ApplicationProblems {
            #expect(problems.problems.map(\.field) == ["request_answer"])
        }
        try await store.save(
            id: ready, details: asked.details, answers: asked.standards.map(\.answer), requestAnswer: "Fourteen.",
            actor: "applicant:\(ready)")
        try await store.submit(id: ready, actor: "applicant:\(ready)", mail: queue)

        // A decision without reasons is refused and changes nothing.
        await #expect(throws: ApplicationProblems.self) {
            _ = try await store.decide(id: ready, decision: .accredited, reasons: "  ", actor: "user:1", mail: queue)
        }
        #expect(try await store.find(id: ready)?.status == .submitted)

        let outcome = try await store.decide(
            id: ready, decision: .accredited, reasons: "Complete and credible.", actor: "user:1", mail: queue)
        let employerID = try #require(outcome.employerID)
        let employer = try #require(try await fixture.employers.find(id: employerID))
        #expect(employer.companyNumber?.value == "IP012345" && employer.name == "Mersey Ferries Co-operative")
        #expect(try await fixture.employers.contacts(employerID: employerID).map(\.email) == ["alex@other.example"])
        let pledges = try await PledgeStore(pool: fixture.pool).list(employerID: employerID)
        #expect(pledges.map(\.tier) == ["accredited"])
        #expect(pledges.first?.livingHours == true)
        #expect(pledges.first?.validFrom == CalendarDate(Date(), in: .europeLondon))
        let invited = try #require(outcome.invitedUserID)
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM users WHERE id = \(invited) AND employer_id = \(employerID) AND password_hash IS NULL"
            ) == 1)
        #expect(try await store.find(id: ready)?.decision == .accredited)
        #expect(try await notices().last?.step == .decided)
        #expect(
            try await audits(ready) == [
                "application.start", "application.confirm", "application.save", "application.submit",
                "application.review", "application.ask-for-more", "application.link", "application.save",
                "application.submit", "application.decide",
            ])
        // Decided once: a second decision is refused.
        await #expect(throws: CharterStoreError.self) {
            _ = try await store.decide(id: ready, decision: .declined, reasons: "No.", actor: "user:1", mail: queue)
        }
    }

    /// Anyone may start an application, so the form cannot be used to fill a stranger's inbox: five links
    /// a day to one address, then a sentence (and a lost-link request sends nothing, saying nothing).
    @Test func oneAddressIsSentAtMostFiveLinksADay() async throws {
        for index in 1...ApplicationStore.linksPerAddressPerDay {
            _ = try await store.start(
                applicantName: "Pat", email: "pat@inbox.example", organisationName: "Org \(index)", mail: queue)
        }
        do {
            _ = try await store.start(
                applicantName: "Pat", email: "PAT@inbox.example", organisationName: "Org 6", mail: queue)
            Issue.record("a sixth link was sent")
        } catch let problems as ApplicationProblems {
            #expect(problems.problems.first?.field == "email")
            #expect(problems.problems.first?.message.contains("has been sent 5 links to apply in the last day") == true)
        }
        try await store.resendLinks(email: "pat@inbox.example", mail: queue)
        #expect(try await notices().filter { $0.recipient.email == "pat@inbox.example" }.count == 5)
        #expect(try await fixture.count("SELECT count(*) FROM applications") == 5)
    }

    @Test func evidenceRefusalsStoreNothing() async throws {
        let id = try await readyApplication(company: "IP054321")
        let actor = ApplicationStore.applicantActor(id)
        let auditsBefore = try await audits(id)
        let program: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + Array(repeating: 0, count: 4_096)
        let big = Array("%PDF-1.4\n".utf8) + Array(repeating: 0x20, count: 11 * 1024 * 1024)
        for (content, name, words) in [
            (program, "policy.pdf", "is not a PDF"), (big, "board-pack.pdf", "is 11.0 MB"),
        ] {
            do {
                _ = try await store.addEvidence(id: id, standardID: nil, filename: name, content: content, actor: actor)
                Issue.record("\(name) was stored")
            } catch let problems as ApplicationProblems {
                #expect(problems.problems.first?.field == "file")
                #expect(problems.problems.first?.message.contains(words) == true, "\(problems)")
            }
        }
        #expect(try await count("application_evidence", id) == 0)
        #expect(try await audits(id) == auditsBefore)

        // Fifty files fit; the fifty-first is refused and not stored.
        for index in 1...50 {
            _ = try await store.addEvidence(
                id: id, standardID: index == 1 ? "pay.real-living-wage" : nil, filename: "note-\(index).txt",
                content: Array("Evidence note \(index).\n".utf8), actor: actor)
        }
        do {
            _ = try await store.addEvidence(
                id: id, standardID: nil, filename: "note-51.txt", content: Array("one more\n".utf8), actor: actor)
            Issue.record("a fifty-first file was stored")
        } catch let problems as ApplicationProblems {
            #expect(problems.problems.first?.message.hasPrefix("The application already has 50 evidence files") == true)
        }
        #expect(try await count("application_evidence", id) == 50)
        let stored = try #require(try await store.find(id: id)?.evidence.first)
        #expect(stored.standardID == "pay.real-living-wage" && stored.type == .text)
        // The SHA-256 kept is the content's.
        #expect(stored.sha256.count == 64)
        let (file, content) = try #require(try await store.evidence(applicationID: id, fileID: stored.id))
        #expect(content == Array("Evidence note 1.\n".utf8) && file.filename == "note-1.txt")
        // Another application's file is not found through this one.
        #expect(try await store.evidence(applicationID: id + 1_000, fileID: stored.id) == nil)
    }

    @Test func aCompanyNumberIsHeldByOneOpenApplicationAndNeverBySignatoryNewcomers() async throws {
        let first = try await readyApplication(company: "IP067890", email: "one@first.example")
        #expect(try await store.find(id: first)?.details.companyNumber?.value == "IP067890")
        // A second organisation cannot apply under the same number, in any case.
        do {
            _ = try await readyApplication(company: "ip067890", email: "two@second.example")
            Issue.record("a second open application took the number")
        } catch let problems as ApplicationProblems {
            #expect(problems.problems.map(\.field) == ["company_number"])
            #expect(problems.problems.first?.message.contains("already held by another open application") == true)
        }
        // A signatory's number is refused to a newcomer: it applies signed in.
        let signatory = try #require(
            try await fixture.employers.add(
                Employer(name: "Birkenhead Print Ltd", companyNumber: CompanyNumber("IP077777")), actor: "t"
            ).id)
        _ = try await PledgeStore(pool: fixture.pool).add(
            employerID: signatory, tier: .aspiring, livingHours: false, overrides: PledgeOverrides(),
            validFrom: CalendarDate(year: 2026, month: 1, day: 1)!, validTo: nil, actor: "t")
        do {
            _ = try await readyApplication(company: "IP077777", email: "three@third.example")
            Issue.record("a newcomer applied under a signatory's number")
        } catch let problems as ApplicationProblems {
            #expect(problems.problems.first?.message.contains("Birkenhead Print Ltd, already a signatory") == true)
        }
    }

    @Test func aSignatoryAppliesForAHigherTierAndItsAspiringPledgeEndsOnTheDecision() async throws {
        let employer = try #require(
            try await fixture.employers.add(
                Employer(name: "Wirral Care Ltd", companyNumber: CompanyNumber("07654321")), actor: "t"
            ).id)
        let aspiring = try await PledgeStore(pool: fixture.pool).add(
            employerID: employer, tier: .aspiring, livingHours: false, overrides: PledgeOverrides(),
            validFrom: CalendarDate(year: 2025, month: 4, day: 1)!, validTo: nil, actor: "t")
        let users = UserStore(pool: fixture.pool, hasher: PasswordHasher(iterations: 1_000))
        let user = try await users.create(
            email: "hr@wirralcare.example", displayName: "Kim HR", role: .employer, employerID: employer, repID: nil,
            password: "a long enough passphrase", by: "t")
        let id = try await store.startForEmployer(employer, userID: user.id, actor: Principal.userActor(user.id))
        #expect(try await store.startForEmployer(employer, userID: user.id, actor: "user:\(user.id)") == id)
        let application = try #require(try await store.find(id: id))
        #expect(application.status == .draft && application.details.companyNumber?.value == "07654321")
        var details = application.details
        details.sizeBand = "500 to 999"
        details.hasLondonWorkplaces = false
        details.tier = .accredited
        try await store.save(
            id: id, details: details,
            answers: application.standards.map { StandardAnswer(standardID: $0.standard.id, assessment: .met) },
            requestAnswer: nil, actor: "user:\(user.id)")
        try await store.submit(id: id, actor: "user:\(user.id)", mail: queue)
        let outcome = try await store.decide(
            id: id, decision: .accredited, reasons: "Ready.", actor: "user:1", mail: queue)
        #expect(outcome.employerID == employer)
        #expect(outcome.invitedUserID == nil)
        let today = CalendarDate(Date(), in: .europeLondon)
        let pledges = try await PledgeStore(pool: fixture.pool).list(employerID: employer)
        #expect(pledges.first { $0.id == aspiring.id }?.validTo == today)
        #expect(pledges.first { $0.isInForce(on: today) }?.tier == "accredited")
    }
}

import CharterDomain
import CharterStore
import Foundation
import PGClient
import Testing

/// What the workspace's operations pages need from the store: drafts copied, changed and published
/// (then immutable), bank holidays added, the audit log filtered and paged, the outbox paged — each
/// change audited.
@Suite("The store behind the workspace's operations pages", .timeLimit(.minutes(10)))
struct WorkspaceOperationsStoreTests {
    let fixture: StoreFixture
    init() async throws { fixture = try await StoreFixture("workspace-ops") }

    func seededVersion() async throws -> Int64 {
        try await fixture.pool.withConnection {
            try await $0.query("SELECT id FROM charter_versions ORDER BY id LIMIT 1")[0].decode(Int64.self, at: 0)
        }
    }

    func auditRows(_ action: String) async throws -> Int {
        try await fixture.count("SELECT count(*)::int FROM audit_log WHERE action = \(action)")
    }

    @Test func aDraftIsACopyThatChangesUntilItIsPublishedAndNeverAfter() async throws {
        let store = CharterVersionStore(pool: fixture.pool)
        let seeded = try await seededVersion()
        let draft = try await store.createDraft(
            copying: seeded, label: "Charter 2027 draft", effectiveFrom: CalendarDate(iso: "2027-04-01")!,
            actor: "user:1")
        let copied = try #require(try await store.version(id: draft))
        let original = try #require(try await store.version(id: seeded))
        #expect(copied.isDraft)
        #expect(copied.standards.count == original.standards.count)
        #expect(copied.standard("hours.zero-hours-share")?.defaults.parameters["threshold_percent"]?.number == 5)

        try await store.updateStandard(
            versionID: draft, standardID: "hours.zero-hours-share", parameters: ["threshold_percent": .number(3)],
            severityAspiring: .breach, severityAccredited: .critical, actor: "user:1")
        let changed = try #require(try await store.version(id: draft)?.standard("hours.zero-hours-share"))
        #expect(changed.defaults.parameters["threshold_percent"]?.number == 3)
        #expect(changed.severity(for: .aspiring) == .breach)
        #expect(changed.severity(for: .accredited) == .critical)
        // The version it was copied from is untouched.
        #expect(
            try await store.version(id: seeded)?.standard("hours.zero-hours-share")?.defaults.parameters[
                "threshold_percent"]?.number == 5)

        // A parameter of another kind, or one the standard lacks, is refused.
        await #expect(throws: CharterStoreError.self) {
            try await store.updateStandard(
                versionID: draft, standardID: "hours.zero-hours-share", parameters: ["threshold_percent": .text("x")],
                severityAspiring: .breach, severityAccredited: .critical, actor: "user:1")
        }
        await #expect(throws: CharterStoreError.self) {
            try await store.updateStandard(
                versionID: draft, standardID: "hours.zero-hours-share", parameters: ["invented": .number(1)],
                severityAspiring: .breach, severityAccredited: .critical, actor: "user:1")
        }

        try await store.publish(versionID: draft, actor: "user:1")
        #expect(try await store.version(id: draft)?.isDraft == false)
        do {
            try await store.updateStandard(
                versionID: draft, standardID: "hours.zero-hours-share", parameters: ["threshold_percent": .number(9)],
                severityAspiring: .breach, severityAccredited: .critical, actor: "user:1")
            Issue.record("a published version was changed")
        } catch let error as CharterStoreError {
            #expect(error.code == .conflict)
            #expect(error.message.contains("published and can no longer be changed"))
        }
        await #expect(throws: CharterStoreError.self) { try await store.publish(versionID: draft, actor: "user:1") }
        #expect(
            try await store.version(id: draft)?.standard("hours.zero-hours-share")?.defaults.parameters[
                "threshold_percent"]?.number == 3)
        #expect(try await auditRows("charter.draft") == 1)
        #expect(try await auditRows("charter.standard.update") == 1)
        #expect(try await auditRows("charter.publish") == 1)

        let listed = try await store.summaries()
        #expect(listed.map(\.id).contains(draft))
        // A second version of the same name is a conflict.
        do {
            _ = try await store.createDraft(
                copying: seeded, label: "Charter 2027 draft", effectiveFrom: CalendarDate(iso: "2027-04-01")!,
                actor: "user:1")
            Issue.record("a duplicate label was accepted")
        } catch let error as CharterStoreError {
            #expect(error.code == .conflict)
        }
    }

    @Test func aBankHolidayIsAddedOnceAndAudited() async throws {
        let store = BankHolidayStore(pool: fixture.pool)
        let day = CalendarDate(iso: "2028-01-03")!
        try await store.add(date: day, name: "New Year's Day (substitute day)", actor: "user:1")
        #expect(try await store.list().contains { $0.date == day && $0.name == "New Year's Day (substitute day)" })
        do {
            try await store.add(date: day, name: "Again", actor: "user:1")
            Issue.record("a second holiday on one day was accepted")
        } catch let error as CharterStoreError {
            #expect(error.code == .conflict)
        }
        await #expect(throws: CharterStoreError.self) {
            try await store.add(date: CalendarDate(iso: "2028-05-01")!, name: "  ", actor: "user:1")
        }
        #expect(try await auditRows("bank_holiday.add") == 1)
        try await fixture.pool.withConnection { connection in
            let holidays = try await BankHolidays.load(on: connection)
            #expect(!holidays.isWorkingDay(day))  // a Monday, now a holiday
        }
    }

    @Test func theAuditLogFiltersByActorObjectAndTimeAndPages() async throws {
        let first = try await fixture.newEmployer("Alpha Ltd")
        let second = try await fixture.newEmployer("Beta Ltd")
        for index in 0..<5 {
            try await fixture.pool.withConnection { connection in
                try await AuditTrail.append(
                    on: connection, actor: "user:\(index % 2)", action: "test.touch", entity: "employer",
                    entityID: String(index % 2 == 0 ? first : second))
            }
        }
        let log = AuditLog(pool: fixture.pool)
        let everything = try await log.count(.init())
        #expect(everything >= 7)
        #expect(try await log.count(.init(actor: "user:0")) == 3)
        #expect(try await log.count(.init(actor: "user:1")) == 2)
        let forSecond = try await log.list(.init(entity: "employer", entityID: String(second)))
        #expect(forSecond.map(\.entityID).allSatisfy { $0 == String(second) })
        #expect(forSecond.count == 3)  // registered, then touched twice
        let page = try await log.list(.init(), offset: 1, limit: 2)
        let all = try await log.list(.init(), offset: 0, limit: 100)
        #expect(page.map(\.id) == Array(all.map(\.id)[1...2]))
        #expect(all.map(\.id) == all.map(\.id).sorted(by: >))
        #expect(try await log.count(.init(from: Date().addingTimeInterval(3600))) == 0)
        #expect(try await log.count(.init(before: Date().addingTimeInterval(-86_400))) == 0)
        #expect(all.allSatisfy { $0.rowHash.count == 64 })
    }

    /// The audit filters each have an index the planner can use at size, not a scan of the log.
    @Test func theAuditFiltersHaveIndexes() async throws {
        let indexes = try await fixture.pool.withConnection { connection in
            try await connection.query("SELECT indexname FROM pg_indexes WHERE tablename = 'audit_log'").map {
                try $0.decode(String.self, column: "indexname")
            }
        }
        #expect(Set(indexes).isSuperset(of: ["audit_log_actor_idx", "audit_log_entity_idx", "audit_log_at_idx"]))
    }

    @Test func theOutboxPages() async throws {
        try await fixture.pool.withConnection { connection in
            for index in 0..<3 {
                _ = try await OutboxStore.enqueue(
                    OutboxMessage(
                        kind: .reminder, dedupKey: "k\(index)", sender: "cw@example.org",
                        recipients: ["hr\(index)@example.org"], subject: "Reminder \(index)",
                        message: Array("Subject: Reminder \(index)\r\n\r\nHello\r\n".utf8),
                        contentDigest: OutboxMessage.digest(of: Array("Reminder \(index)".utf8))), on: connection)
            }
        }
        let outbox = OutboxStore(pool: fixture.pool)
        #expect(try await outbox.count() == 3)
        #expect(try await outbox.count(state: .dead) == 0)
        let page = try await outbox.page(offset: 1, limit: 1)
        #expect(page.map(\.subject) == ["Reminder 1"])
        let id = try #require(page.first?.id)
        #expect(String(decoding: try #require(try await outbox.message(id: id)), as: UTF8.self).contains("Hello"))
        #expect(try await outbox.message(id: id + 100) == nil)
    }
}

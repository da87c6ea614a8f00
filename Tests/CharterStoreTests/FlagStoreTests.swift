import CharterAccess
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import PGClient
import Testing

@Suite("The flag store: rep queue, one flag, people's actions", .timeLimit(.minutes(10)))
struct FlagStoreTests {
    let fixture: StoreFixture
    let store: FlagStore

    init() async throws {
        fixture = try await StoreFixture("flagstore")
        store = FlagStore(pool: fixture.pool)
    }

    /// What a test made a flag with, to work out which flags a filter should find.
    struct Made: Hashable {
        var id: Int64
        var employerID: Int64
        var standardID: String
        var period: String
        var state: FlagState
        var severity: Severity
    }

    /// A flag as the nightly run would have left it, in `state`, whose evidence names `workers` workers.
    @discardableResult
    func makeFlag(
        employer: Int64, standard: String = "pay.real-living-wage", period: String = "2026-Q3", subject: String = "",
        state: FlagState = .open, severity: Severity = .breach, workers: Int = 3
    ) async throws -> Made {
        let version = try await fixture.count("SELECT min(id)::int FROM charter_versions")
        var evidence = Evidence(
            charterVersionID: Int64(version), charterVersionLabel: "Fair Employment Charter 2026", parameters: [:],
            period: ReportingPeriod(period)!, returnVersionID: nil, returnVersionNumber: nil)
        evidence.workers = .exact(workers)
        evidence.workerRefs = (1...workers).map { "W\($0)" }
        evidence.directWorkers = .exact(40)
        let json = String(decoding: evidence.jsonData(), as: UTF8.self)
        let id = try await fixture.pool.withConnection { connection in
            try await connection.query(
                """
                INSERT INTO flags (employer_id, standard_id, period, subject, state, severity, evidence,
                                   charter_version_id)
                VALUES (\(employer), \(standard), \(period), \(subject), \(state.rawValue), \(severity.rawValue),
                        \(json)::jsonb, \(Int64(version)))
                RETURNING id
                """
            )[0].decode(Int64.self, column: "id")
        }
        return Made(
            id: id, employerID: employer, standardID: standard, period: period, state: state, severity: severity)
    }

    /// Every flag a filter finds, walking the pages.
    func all(_ filter: FlagStore.Filter, visible: EmployerScope = .all, limit: Int = 500) async throws
        -> [Flag]
    {
        var flags: [Flag] = []
        var cursor: String?
        repeat {
            let page = try await store.list(filter, visible: visible, cursor: cursor, limit: limit)
            flags += page.flags
            cursor = page.nextCursor
        } while cursor != nil
        return flags
    }

    /// What a refused action must leave alone: the flag's state, its events and the audit log.
    struct Trace: Equatable {
        var state: String
        var events: Int
        var auditRows: Int
    }

    func trace(_ id: Int64) async throws -> Trace {
        try await fixture.pool.withConnection { connection in
            let row = try await connection.query(
                """
                SELECT state, (SELECT count(*) FROM flag_events WHERE flag_id = \(id)) AS events,
                       (SELECT count(*) FROM audit_log) AS audit_rows
                FROM flags WHERE id = \(id)
                """)[0]
            return Trace(
                state: try row.decode(String.self, column: "state"), events: try row.decode(Int.self, column: "events"),
                auditRows: try row.decode(Int.self, column: "audit_rows"))
        }
    }

    /// The audit rows about one flag: action and the details' from and to state.
    func audit(_ id: Int64) async throws -> [String] {
        try await fixture.pool.withConnection { connection in
            try await connection.query(
                """
                SELECT action, details->>'from_state' AS from_state, details->>'to_state' AS to_state, actor
                FROM audit_log WHERE entity = 'flag' AND entity_id = \(String(id)) ORDER BY id
                """
            ).map {
                "\(try $0.decode(String.self, column: "action")) \(try $0.decode(String.self, column: "from_state"))"
                    + "→\(try $0.decode(String.self, column: "to_state")) by \(try $0.decode(String.self, column: "actor"))"
            }
        }
    }

    func refusal(_ body: () async throws -> Void) async -> CharterStoreError? {
        do {
            try await body()
            return nil
        } catch let error as CharterStoreError {
            return error
        } catch {
            Issue.record("unexpected error: \(error)")
            return nil
        }
    }

    // MARK: Lists and counts

    @Test func eachFilterNarrowsTheListToTheFlagsItNames() async throws {
        let mersey = try await fixture.newEmployer("Mersey Care Homes Ltd")
        let wirral = try await fixture.newEmployer("Wirral Cleaning Co")
        var made: [Made] = []
        let standards = ["pay.real-living-wage", "hours.zero-hours-share", "just.union-access"]
        let severities: [Severity] = [.critical, .breach, .warning, .info]
        for (e, employer) in [mersey, wirral].enumerated() {
            for (s, standard) in standards.enumerated() {
                for (p, period) in ["2026-Q2", "2026-Q3"].enumerated() {
                    made.append(
                        try await makeFlag(
                            employer: employer, standard: standard, period: period,
                            state: FlagState.allCases[(s * 2 + p + e) % FlagState.allCases.count],
                            severity: severities[(s + p + e) % severities.count]))
                }
            }
        }
        let cases: [(FlagStore.Filter, (Made) -> Bool)] = [
            (FlagStore.Filter(employerID: wirral), { $0.employerID == wirral }),
            (FlagStore.Filter(standardID: "hours.zero-hours-share"), { $0.standardID == "hours.zero-hours-share" }),
            (FlagStore.Filter(severity: .warning), { $0.severity == .warning }),
            (FlagStore.Filter(state: .disputed), { $0.state == .disputed }),
            (FlagStore.Filter(period: ReportingPeriod("2026-Q2")), { $0.period == "2026-Q2" }),
            (
                FlagStore.Filter(employerID: mersey, period: ReportingPeriod("2026-Q3")),
                { $0.employerID == mersey && $0.period == "2026-Q3" }
            ),
        ]
        #expect(try await all(FlagStore.Filter()).count == made.count)
        for (filter, matches) in cases {
            let expected = made.filter(matches).map(\.id).sorted(by: >)
            #expect(!expected.isEmpty && expected.count < made.count, "the case \(filter) narrows nothing")
            #expect(try await all(filter).map(\.id) == expected, "\(filter)")
        }

        // What a row says: whose flag, which standard by its title, where it stands.
        let row = try #require(
            try await all(
                FlagStore.Filter(
                    employerID: wirral, standardID: "pay.real-living-wage",
                    period: ReportingPeriod("2026-Q3"))
            ).first)
        #expect(row.employerName == "Wirral Cleaning Co")
        #expect(row.standardTitle == "Real Living Wage")
        #expect(row.state == FlagState.allCases[2])
        #expect(row.severity == .warning)
    }

    @Test func aRenamedEmployerShowsUnderItsNewNameOnceTheKeptNameIsOlderThanItsAge() async throws {
        let employer = try await fixture.newEmployer("Old Name Ltd")
        let flag = try await makeFlag(employer: employer)
        // A flag naming no charter version (as before versions were recorded) still lists, untitled.
        let untitled = try await makeFlag(employer: employer, subject: "no version")
        try await fixture.pool.withConnection {
            try await $0.execute("UPDATE flags SET charter_version_id = NULL WHERE id = \(untitled.id)")
        }
        let keeping = FlagStore(pool: fixture.pool, labels: FlagLabels(maxAge: .seconds(3600)))
        let fresh = FlagStore(pool: fixture.pool, labels: FlagLabels(maxAge: .zero))
        func names(_ store: FlagStore) async throws -> [Int64: String] {
            let page = try await store.list(
                FlagStore.Filter(employerID: employer), visible: .all, cursor: nil, limit: 10)
            return Dictionary(uniqueKeysWithValues: page.flags.map { ($0.id, $0.employerName) })
        }
        #expect(try await names(keeping) == [flag.id: "Old Name Ltd", untitled.id: "Old Name Ltd"])
        #expect(try await names(fresh) == [flag.id: "Old Name Ltd", untitled.id: "Old Name Ltd"])
        try await fixture.pool.withConnection {
            try await $0.execute("UPDATE employers SET name = 'New Name Ltd' WHERE id = \(employer)")
        }
        #expect(try await names(fresh) == [flag.id: "New Name Ltd", untitled.id: "New Name Ltd"])
        #expect(try await names(keeping) == [flag.id: "Old Name Ltd", untitled.id: "Old Name Ltd"])
        let titles = try await fresh.list(FlagStore.Filter(employerID: employer), visible: .all, cursor: nil, limit: 10)
            .flags.map { [$0.id: $0.standardTitle] }
        #expect(titles == [[untitled.id: nil], [flag.id: "Real Living Wage"]])
    }

    @Test func aScopeNeverShowsAnotherEmployersFlags() async throws {
        let covered = try await fixture.newEmployer("Covered Ltd")
        let alsoCovered = try await fixture.newEmployer("Also Covered Ltd")
        let other = try await fixture.newEmployer("Not Covered Ltd")
        for (employer, count) in [(covered, 3), (alsoCovered, 2), (other, 4)] {
            for n in 1...count { try await makeFlag(employer: employer, subject: "contract \(n)") }
        }

        let one = try await all(FlagStore.Filter(), visible: .only([covered]), limit: 2)
        #expect(one.count == 3 && one.allSatisfy { $0.employerID == covered })
        let two = try await all(FlagStore.Filter(), visible: .only([covered, alsoCovered]))
        #expect(Set(two.map(\.employerID)) == [covered, alsoCovered] && two.count == 5)
        #expect(try await store.counts(FlagStore.Filter(), visible: .only([covered, alsoCovered])).total == 5)

        // Asking for an uncovered employer by name finds nothing, and says nothing about its flags.
        #expect(try await all(FlagStore.Filter(employerID: other), visible: .only([covered])).isEmpty)
        #expect(try await store.counts(FlagStore.Filter(employerID: other), visible: .only([covered])).total == 0)

        // A cursor from an unscoped list does not widen a scoped one.
        let wide = try await store.list(FlagStore.Filter(), visible: .all, cursor: nil, limit: 1)
        let next = try await store.list(
            FlagStore.Filter(), visible: .only([covered]), cursor: wide.nextCursor, limit: 50)
        #expect(next.flags.allSatisfy { $0.employerID == covered })

        #expect(try await all(FlagStore.Filter(), visible: .none).isEmpty)
        #expect(try await all(FlagStore.Filter(employerID: covered), visible: .none).isEmpty)
        #expect(try await store.counts(FlagStore.Filter(), visible: .none) == .zero)
        #expect(try await all(FlagStore.Filter(), visible: .all).count == 9)
    }

    @Test func pagesWalkEveryFlagOnceNewestFirst() async throws {
        let first = try await fixture.newEmployer("First Ltd")
        let second = try await fixture.newEmployer("Second Ltd")
        var ids: [Int64] = []
        for n in 1...23 {
            ids.append(try await makeFlag(employer: n % 2 == 0 ? first : second, subject: "s\(n)").id)
        }
        var pages: [FlagPage] = []
        var cursor: String?
        repeat {
            let page = try await store.list(FlagStore.Filter(), visible: .all, cursor: cursor, limit: 5)
            pages.append(page)
            cursor = page.nextCursor
        } while cursor != nil
        #expect(pages.map(\.flags.count) == [5, 5, 5, 5, 3])
        #expect(pages.flatMap(\.flags).map(\.id) == ids.sorted(by: >))

        // Exactly two pages' worth: the second page says it is the last.
        let firsts = ids.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        #expect(firsts.count == 11)
        let ten = try await store.list(FlagStore.Filter(employerID: first), visible: .all, cursor: nil, limit: 10)
        #expect(ten.flags.map(\.id) == Array(firsts.sorted(by: >).prefix(10)))
        let last = try await store.list(
            FlagStore.Filter(employerID: first), visible: .all, cursor: ten.nextCursor, limit: 1)
        #expect(last.flags.map(\.id) == [firsts.min()!])
        #expect(last.nextCursor == nil)

        for bad in ["", "nonsense", "YmVmb3JlOmFiYw", "YmVmb3JlOjA", "YmVmb3JlOi01", "YmVmb3JlOjE="] {
            let error = await refusal {
                _ = try await store.list(FlagStore.Filter(), visible: .all, cursor: bad, limit: 5)
            }
            #expect(error?.code == .invalid, "cursor \(bad)")
        }
        for limit in [0, -1, 501] {
            let error = await refusal {
                _ = try await store.list(FlagStore.Filter(), visible: .all, cursor: nil, limit: limit)
            }
            #expect(error?.code == .invalid, "limit \(limit)")
        }
    }

    @Test func countsAgreeWithTheList() async throws {
        let a = try await fixture.newEmployer("A Ltd")
        let b = try await fixture.newEmployer("B Ltd")
        let severities: [Severity] = [.critical, .breach, .warning, .info, .breach]
        for n in 0..<17 {
            try await makeFlag(
                employer: n % 3 == 0 ? b : a, period: n % 2 == 0 ? "2026-Q2" : "2026-Q3", subject: "s\(n)",
                state: FlagState.allCases[n % FlagState.allCases.count], severity: severities[n % severities.count])
        }
        let cases: [(FlagStore.Filter, EmployerScope)] = [
            (FlagStore.Filter(), .all), (FlagStore.Filter(state: .open), .all),
            (FlagStore.Filter(severity: .breach), .all), (FlagStore.Filter(period: ReportingPeriod("2026-Q2")), .all),
            (FlagStore.Filter(), .only([b])), (FlagStore.Filter(state: .resolved), .only([a])),
        ]
        for (filter, scope) in cases {
            let listed = try await all(filter, visible: scope)
            let counts = try await store.counts(filter, visible: scope)
            #expect(counts.total == listed.count, "\(filter) \(scope)")
            for severity in [Severity.critical, .breach, .warning, .info] {
                #expect(counts.bySeverity[severity.rawValue] == listed.filter { $0.severity == severity }.count)
            }
            for state in FlagState.allCases {
                #expect(counts.byState[state.rawValue] == listed.filter { $0.state == state }.count)
            }
        }
    }

    // MARK: One flag

    @Test func aFlagFromTheNightlyRunReadsBackInFullForTheEmployerAndSuppressedForReps() async throws {
        let employer = try await fixture.newEmployer()
        _ = try await PledgeStore(pool: fixture.pool).add(
            employerID: employer, tier: .accredited, livingHours: false, overrides: PledgeOverrides(),
            validFrom: CalendarDate(iso: "2025-01-01")!, validTo: nil, actor: "test")
        var lines = (1...20).map { NightlyComplianceTests.line("W\($0)") }
        for n in 0..<3 { lines[n] = NightlyComplianceTests.line("W\(n + 1)", rate: "13.00") }
        let outcome = try await fixture.returns.submit(
            ReturnSubmission(
                employerID: employer, submittedBy: "payroll", header: Data(NightlyComplianceTests.goodHeader.utf8)),
            csv: ReturnText.chunks(([NightlyComplianceTests.columns] + lines).joined(separator: "\n") + "\n"))
        guard case .accepted = outcome else {
            Issue.record("return not accepted: \(outcome)")
            return
        }
        _ = try await NightlyCompliance(pool: fixture.pool).run(asOf: CalendarDate(iso: "2026-11-01")!)

        let listed = try await store.list(
            FlagStore.Filter(employerID: employer, standardID: "pay.real-living-wage"), visible: .all, cursor: nil,
            limit: 10)
        let id = try #require(listed.flags.first?.id)
        let flag = try #require(try await store.flag(id: id))
        #expect(flag.standardTitle == "Real Living Wage")
        #expect(flag.period == ReportingPeriod("2026-Q3"))
        #expect(flag.returnVersionID != nil && flag.charterVersionID != nil)
        #expect(flag.events.map(\.kind) == [.opened])
        #expect(flag.response == nil)

        // The employer sees its own figures; a rep sees "fewer than 5" and no worker refs.
        #expect(flag.evidence.workers == .exact(3))
        #expect(flag.evidence.workerRefs == ["W1", "W2", "W3"])
        #expect(flag.evidence.rateInForce == Decimal(string: "13.45"))
        let forReps = flag.forReps()
        #expect(forReps.evidence.workers == .fewerThanFive)
        #expect(forReps.evidence.workerRefs == nil)
        #expect(forReps.evidence.rateInForce == Decimal(string: "13.45"))
        #expect(forReps.summary == flag.summary && forReps.events == flag.events)
        let repJSON = String(decoding: try JSONEncoder().encode(forReps), as: UTF8.self)
        #expect(repJSON.contains("fewer than 5"))
        #expect(!repJSON.contains("W1") && !repJSON.contains("W2") && !repJSON.contains("W3"))

        #expect(try await store.flag(id: id + 1_000) == nil)
    }

    @Test func aFlagsJSONIsFlatWithSnakeCaseKeysAndReadsBack() async throws {
        let employer = try await fixture.newEmployer()
        let made = try await makeFlag(employer: employer)
        let detail = try await store.act(
            .respond, on: made.id, role: .employer, actor: "user:7", note: nil,
            response: FlagResponse(
                explanation: "Pay rises in January", actionPlan: "Uplift to £13.45",
                targetDate: CalendarDate(iso: "2027-01-05")))
        let data = try JSONEncoder().encode(detail)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in [
            "id", "employer_id", "employer_name", "standard_id", "standard_title", "period", "subject", "state",
            "severity", "opened_at", "updated_at", "evidence", "charter_version_id", "events", "response",
        ] {
            #expect(object[key] != nil, "\(key) missing")
        }
        let response = try #require(object["response"] as? [String: Any])
        #expect(response["action_plan"] as? String == "Uplift to £13.45")
        #expect(response["target_date"] as? String == "2027-01-05")
        let event = try #require((object["events"] as? [[String: Any]])?.first)
        #expect(event["from_state"] as? String == "open" && event["kind"] as? String == "response")
        #expect(try JSONDecoder().decode(FlagDetail.self, from: data) == detail)

        let page =
            try JSONSerialization.jsonObject(
                with: try JSONEncoder().encode(FlagPage(flags: [], nextCursor: "abc"))) as? [String: Any]
        #expect(page?["next_cursor"] as? String == "abc")
        let counts = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(FlagCounts.zero)) as? [String: Any]
        #expect((counts?["by_severity"] as? [String: Int])?["critical"] == 0)
        #expect((counts?["by_state"] as? [String: Int])?["waived"] == 0)
    }

    // MARK: Actions

    @Test func everyActionByEveryRoleFollowsTheTransitionTable() async throws {
        let employer = try await fixture.newEmployer()
        var allowed = 0
        var refused = 0
        for role in [FlagActorRole.admin, .rep, .employer] {
            for action in FlagAction.allCases {
                for state in FlagState.allCases {
                    let made = try await makeFlag(
                        employer: employer, subject: "\(role.rawValue) \(action.rawValue) \(state.rawValue)",
                        state: state)
                    let before = try await trace(made.id)
                    let expected: Result<FlagState, CharterDomainError>
                    do {
                        expected = .success(try FlagTransitions.apply(action, to: state, by: role, note: "because"))
                    } catch {
                        expected = .failure(error)
                    }
                    let response = action == .respond ? FlagResponse(explanation: "We are on it") : nil
                    let what = "\(role.rawValue) \(action.rawValue) on \(state.rawValue)"
                    do {
                        let detail = try await store.act(
                            action, on: made.id, role: role, actor: "person:\(role.rawValue)", note: "because",
                            response: response)
                        guard case .success(let next) = expected else {
                            Issue.record("\(what) was allowed")
                            continue
                        }
                        allowed += 1
                        #expect(detail.state == next, "\(what)")
                        #expect(try await trace(made.id).state == next.rawValue, "\(what)")
                        let kind: FlagEvent.Kind =
                            action == .comment ? .comment : action == .respond ? .response : .transition
                        #expect(detail.events.count == 1, "\(what)")
                        #expect(detail.events.first?.kind == kind, "\(what)")
                        #expect(detail.events.first?.fromState == state && detail.events.first?.toState == next)
                        #expect(detail.events.first?.actor == "person:\(role.rawValue)")
                        #expect(detail.events.first?.note == "because")
                        #expect(
                            try await audit(made.id)
                                == [
                                    "flag.\(action.rawValue) \(state.rawValue)→\(next.rawValue) by person:\(role.rawValue)"
                                ],
                            "\(what)")
                        #expect(try await trace(made.id).auditRows == before.auditRows + 1)
                    } catch let error as CharterStoreError {
                        guard case .failure(let reason) = expected else {
                            Issue.record("\(what) was refused: \(error)")
                            continue
                        }
                        refused += 1
                        #expect(error.code == .conflict, "\(what)")
                        #expect(error.message == reason.message, "\(what)")
                        #expect(try await trace(made.id) == before, "\(what) changed something")
                    }
                }
            }
        }
        // Both kinds of outcome were exercised, not just one.
        #expect(allowed == 35 && refused == 145)
    }

    @Test func aReviewFromOpenToResolvedIsRecordedStepByStep() async throws {
        let employer = try await fixture.newEmployer()
        let id = try await makeFlag(employer: employer).id

        let cannot = await refusal {
            try await store.act(.acknowledge, on: id, role: .employer, actor: "user:3", note: nil)
        }
        #expect(cannot?.code == .conflict)
        #expect(cannot?.message == "cannot acknowledge a flag that is open: only a rep or an admin acknowledges a flag")

        try await store.act(.acknowledge, on: id, role: .rep, actor: "user:1", note: nil)
        try await store.act(.dispute, on: id, role: .employer, actor: "user:3", note: "W2 is an apprentice")
        try await store.act(.reopen, on: id, role: .rep, actor: "user:1", note: "apprentices over 19 count")
        try await store.act(.comment, on: id, role: .admin, actor: "user:9", note: "asked payroll")
        let done = try await store.act(.resolve, on: id, role: .admin, actor: "user:9", note: "paid from April")
        #expect(done.state == .resolved)
        #expect(
            done.events.map { "\($0.kind.rawValue) \($0.fromState?.rawValue ?? "")→\($0.toState?.rawValue ?? "")" }
                == [
                    "transition open→acknowledged", "transition acknowledged→disputed", "transition disputed→open",
                    "comment open→open", "transition open→resolved",
                ])
        #expect(done.events.map(\.actor) == ["user:1", "user:3", "user:1", "user:9", "user:9"])
        #expect(try await audit(id).count == 5)
        #expect(done.updatedAt >= done.openedAt)
    }

    @Test func notesAreRequiredWhereTheDomainRequiresThem() async throws {
        let employer = try await fixture.newEmployer()
        let needNotes: [(FlagAction, FlagActorRole, FlagState)] = [
            (.resolve, .rep, .open), (.resolve, .admin, .disputed), (.dispute, .employer, .acknowledged),
            (.reopen, .rep, .resolved), (.comment, .employer, .open), (.respond, .employer, .open),
        ]
        for (n, (action, role, state)) in needNotes.enumerated() {
            let id = try await makeFlag(employer: employer, subject: "n\(n)", state: state).id
            for note in [nil, "", "  \n "] {
                let before = try await trace(id)
                let error = await refusal {
                    try await store.act(action, on: id, role: role, actor: "user:1", note: note)
                }
                #expect(error?.code == .conflict, "\(action) \(String(describing: note))")
                #expect(error?.message.hasSuffix("a note saying why is required") == true)
                #expect(try await trace(id) == before)
            }
        }
        // Acknowledging needs none; a note given is trimmed.
        let id = try await makeFlag(employer: employer, subject: "ack").id
        #expect(
            try await store.act(.acknowledge, on: id, role: .rep, actor: "user:1", note: nil).state == .acknowledged)
        let commented = try await store.act(.comment, on: id, role: .rep, actor: "user:1", note: "  seen it \n")
        #expect(commented.events.last?.note == "seen it")
    }

    @Test func aResponseStoresTheExplanationPlanAndTargetDate() async throws {
        let employer = try await fixture.newEmployer()
        let id = try await makeFlag(employer: employer, state: .acknowledged).id
        let answered = try await store.act(
            .respond, on: id, role: .employer, actor: "user:3", note: nil,
            response: FlagResponse(
                explanation: "  Pay rises in January ", actionPlan: "Uplift all staff to £13.45",
                targetDate: CalendarDate(iso: "2027-01-05")))
        let expected = FlagResponse(
            explanation: "Pay rises in January", actionPlan: "Uplift all staff to £13.45",
            targetDate: CalendarDate(iso: "2027-01-05"))
        #expect(answered.response == expected)
        #expect(answered.state == .acknowledged)
        #expect(answered.events.last?.kind == .response)
        #expect(answered.events.last?.note == "Pay rises in January")
        #expect(try await store.flag(id: id)?.response == expected)
        #expect(try await audit(id) == ["flag.respond acknowledged→acknowledged by user:3"])

        // A later response replaces it; both stay in the history.
        let again = try await store.act(
            .respond, on: id, role: .employer, actor: "user:3", note: "done early",
            response: FlagResponse(explanation: "Everyone is on £13.45 now"))
        #expect(again.response == FlagResponse(explanation: "Everyone is on £13.45 now"))
        #expect(again.events.map(\.note) == ["Pay rises in January", "done early"])

        // Refused without changing anything: no explanation, a date without a plan, a response on a comment,
        // and a response from someone who is not the employer.
        let before = try await trace(id)
        let refusals: [(FlagAction, FlagActorRole, FlagResponse?, CharterStoreError.Code)] = [
            (.respond, .employer, nil, .invalid),
            (.respond, .employer, FlagResponse(explanation: " "), .invalid),
            (
                .respond, .employer, FlagResponse(explanation: "x", targetDate: CalendarDate(iso: "2027-01-05")),
                .invalid
            ),
            (.comment, .employer, FlagResponse(explanation: "x"), .invalid),
            (.respond, .rep, FlagResponse(explanation: "x"), .conflict),
        ]
        for (action, role, response, code) in refusals {
            let error = await refusal {
                try await store.act(action, on: id, role: role, actor: "user:3", note: "a note", response: response)
            }
            #expect(error?.code == code, "\(action) \(role) \(String(describing: response))")
        }
        #expect(try await trace(id) == before)
        #expect(try await store.flag(id: id)?.response == FlagResponse(explanation: "Everyone is on £13.45 now"))
    }

    @Test func anUnknownFlagOrTheSystemRoleIsRefused() async throws {
        let missing = await refusal {
            try await store.act(.acknowledge, on: 987_654, role: .rep, actor: "user:1", note: nil)
        }
        #expect(missing?.code == .notFound)

        let employer = try await fixture.newEmployer()
        let id = try await makeFlag(employer: employer).id
        let before = try await trace(id)
        let system = await refusal {
            try await store.act(.clear, on: id, role: .system, actor: "user:1", note: nil)
        }
        #expect(system?.code == .invalid)
        #expect(try await trace(id) == before)
    }

    @Test func twoAcknowledgementsAtOnceTakeTurnsAndOnlyOneCounts() async throws {
        let employer = try await fixture.newEmployer()
        let id = try await makeFlag(employer: employer).id
        // Hold the flag's row lock so both actions are certainly waiting on it before either runs.
        let holder = try await PGConnection.connect(fixture.conninfo)
        try await holder.simpleQuery("BEGIN")
        _ = try await holder.query("SELECT id FROM flags WHERE id = \(id) FOR UPDATE")

        let store = store
        func acknowledge(_ actor: String) async -> Result<FlagDetail, CharterStoreError> {
            do {
                return .success(try await store.act(.acknowledge, on: id, role: .rep, actor: actor, note: nil))
            } catch let error as CharterStoreError {
                return .failure(error)
            } catch {
                return .failure(CharterStoreError(.invalid, "unexpected: \(error)"))
            }
        }
        async let first = acknowledge("user:1")
        async let second = acknowledge("user:2")
        let deadline = ContinuousClock.now + .seconds(60)
        while try await fixture.count(
            """
            SELECT count(*)::int FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE%'
            """) < 2
        {
            guard ContinuousClock.now < deadline else {
                Issue.record("the two actions never both waited on the flag")
                break
            }
            await Task.yield()
        }
        try await holder.simpleQuery("COMMIT")
        await holder.close()

        let outcomes = await [first, second]
        let successes = outcomes.compactMap { try? $0.get() }
        let failures = outcomes.compactMap { outcome -> CharterStoreError? in
            if case .failure(let error) = outcome { error } else { nil }
        }
        #expect(successes.count == 1 && successes.first?.state == .acknowledged)
        #expect(failures.count == 1)
        #expect(failures.first?.code == .conflict)
        #expect(
            failures.first?.message
                == "cannot acknowledge a flag that is acknowledged: only an open flag can be acknowledged")
        let after = try #require(try await store.flag(id: id))
        #expect(after.events.count == 1 && after.state == .acknowledged)
        #expect(try await audit(id).count == 1)
    }
}

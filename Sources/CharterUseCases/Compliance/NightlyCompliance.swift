public import CharterDomain
import CharterStore
import Foundation
public import PGClient

/// Where a nightly run's time went (wall-clock seconds), for the benchmark and the run's log line.
public struct ComplianceRunTimings: Sendable, Hashable {
    /// The grouped SQL passes over the worker lines (`ReturnFiguresQuery`: figures and references).
    public var figures = 0.0
    /// The rest of judging returns: loading them and their history, and the rules.
    public var judging = 0.0
    /// Reading and writing the judged returns' flags, their events and the evaluations.
    public var writing = 0.0
    /// Missing returns, exemptions, digests and the audit row.
    public var rest = 0.0

    public init() {}
}

/// What a nightly run did.
public struct ComplianceRunReport: Sendable, Hashable, Codable {
    public var asOf: CalendarDate
    public var dryRun: Bool
    public var returnsEvaluated = 0
    public var missingReturns = 0
    public var flagsOpened = 0
    public var flagsReopened = 0
    public var flagsCleared = 0
    public var flagsWaived = 0
    public var flagsUnwaived = 0
    public var flagsUpdated = 0
    public var flagsUnchanged = 0
    /// Digests queued in the run's transaction (SPEC §6 "emails queued"); 0 without a report queue.
    public var emailsQueued = 0
    /// Returns judged with no figures kept under their criteria (another charter version, an override, a
    /// corrected rate, a version stored before figures were kept), so measured from their worker lines.
    public var returnsMeasuredFromLines = 0
    /// Every change, in order (a dry run's whole answer).
    public var changes: [FlagChange] = []
    /// Returns that could not be judged (e.g. no rate in force at the snapshot), and digests that could not
    /// be rendered (e.g. a recipient address no message can carry), each with why.
    public var errors: [String] = []
    /// Where the time went (not part of the JSON report: it differs from one run of the same data to the next).
    public var timings = ComplianceRunTimings()
    /// The `job_runs` row a run by hand was recorded under (`runByHand`); nil for a dry run, which
    /// records nothing, and for the scheduler's runs, which it records itself.
    public var runID: Int64?

    public init(asOf: CalendarDate, dryRun: Bool) {
        self.asOf = asOf
        self.dryRun = dryRun
    }

    /// The counts recorded with the job run.
    public var counts: [String: Int] {
        [
            "returns_evaluated": returnsEvaluated, "missing_returns": missingReturns, "flags_opened": flagsOpened,
            "flags_reopened": flagsReopened, "flags_cleared": flagsCleared, "flags_waived": flagsWaived,
            "flags_unwaived": flagsUnwaived, "flags_updated": flagsUpdated, "flags_unchanged": flagsUnchanged,
            "emails_queued": emailsQueued, "errors": errors.count,
            "returns_measured_from_lines": returnsMeasuredFromLines,
        ]
    }

    /// Adds what a group's writes changed (`returnsEvaluated` and the flags' counts and changes).
    mutating func absorb(_ part: ComplianceRunReport) {
        returnsEvaluated += part.returnsEvaluated
        flagsOpened += part.flagsOpened
        flagsReopened += part.flagsReopened
        flagsCleared += part.flagsCleared
        flagsUpdated += part.flagsUpdated
        flagsUnchanged += part.flagsUnchanged
        changes += part.changes
    }

    enum CodingKeys: String, CodingKey {
        case asOf = "as_of"
        case dryRun = "dry_run"
        case returnsEvaluated = "returns_evaluated"
        case missingReturns = "missing_returns"
        case flagsOpened = "flags_opened"
        case flagsReopened = "flags_reopened"
        case flagsCleared = "flags_cleared"
        case flagsWaived = "flags_waived"
        case flagsUnwaived = "flags_unwaived"
        case flagsUpdated = "flags_updated"
        case flagsUnchanged = "flags_unchanged"
        case emailsQueued = "emails_queued"
        case returnsMeasuredFromLines = "returns_measured_from_lines"
        case runID = "run_id"
        case changes, errors
    }
}

/// The nightly compliance run (SPEC §4–§6): judges every return whose latest version has not been
/// judged yet against the standards its employer pledged to, raises missing returns whose due date
/// has passed, and opens, updates, clears, reopens and waives flags to match. Running it again
/// with nothing new changes nothing.
public struct NightlyCompliance: Sendable {
    public let pool: PGPool
    /// Returns judged together: one grouped pass over their worker lines (per set of criteria),
    /// one read and one write of their flags. Large, because the pass's cost is mostly a scan of the
    /// lines table, whatever the number of returns in it.
    public var batchSize = 10_000
    /// Queues the employer and rep digests in the run's own transaction, after its flag changes, so
    /// the changes and the emails about them commit together or not at all. Default: nil, no emails.
    public var reportQueue: ReportQueue?

    public init(pool: PGPool, reportQueue: ReportQueue? = nil) {
        self.pool = pool
        self.reportQueue = reportQueue
    }

    /// Runs as of `asOf` (today in Europe/London by default). A dry run does everything in a
    /// transaction it rolls back, so it writes nothing and reports what it would have changed.
    public func run(asOf: CalendarDate, dryRun: Bool = false, actor: String = "nightly-compliance") async throws
        -> ComplianceRunReport
    {
        // Reporting periods exist from 1900 to 9999, and a run looks two years back.
        guard (1910...9990).contains(asOf.year) else {
            throw CharterStoreError(.invalid, "a run's date must lie between the years 1910 and 9990, not \(asOf)")
        }
        var report = ComplianceRunReport(asOf: asOf, dryRun: dryRun)
        // What the run reads before it starts, each on a connection of its own, at once: the rates, the bank
        // holidays, the work list (1. below) and the pledges owing returns (2.). None of it is what the run
        // writes (it writes judgements and flags, never rates, pledges or returns), and each statement of the
        // run's transaction (read committed) would see what was committed when it began, as these do. A run
        // with nothing new to judge is these reads and little else.
        async let rateTable = RateStore(pool: pool).table()
        async let bankHolidays = pool.withConnection { try await BankHolidays.load(on: $0) }
        async let workList = pool.withConnection { try await Self.pendingReturnIDs(on: $0) }
        async let owed = pool.withConnection { try await Self.owing(asOf: asOf, on: $0) }
        let rates = try await rateTable
        let holidays = try await bankHolidays
        let order = try await workList
        let owing = try await owed
        var versions: [Int64: CharterVersion] = [:]
        func charter(_ id: Int64, _ connection: PGConnection) async throws -> CharterVersion {
            if let known = versions[id] { return known }
            guard let loaded = try await CharterVersionStore.version(id: id, on: connection) else {
                throw CharterStoreError(.notFound, "charter version \(id) is missing")
            }
            versions[id] = loaded
            return loaded
        }

        let clock = ContinuousClock()
        // `reader`, when there is one, is a second connection in a transaction of its own: the run reads on
        // it while it writes on `connection` (below).
        let work: (PGConnection, PGConnection?) async throws -> Void = { connection, reader in
            // 1. Returns whose latest version the rules have not judged, oldest period first so a
            //    previous period's zero-hours share is known before the next period needs it.
            // The work list is read once, in order; each batch then loads its own details, so the cost
            // of finding pending returns does not grow with the number of batches.
            let reads = reader ?? connection
            let batches = stride(from: 0, to: order.count, by: batchSize).map {
                Array(order[$0..<min($0 + batchSize, order.count)])
            }
            // Three stages, each on its own resource: a group is read (the reader), judged (the cores) and
            // written (the run's connection). While one group is judged, the group before it is written and
            // the one after read, at once; the zero-hours shares judged so far stand in for evaluations not
            // yet written, so the next period's trend does not wait for them.
            //
            // What is read is what the run does not write — returns, versions, pledges, kept figures, earlier
            // periods' evaluations — or, for flags and evaluations, only of (employer, period) pairs the run
            // has not judged yet (each is judged once a run): so a reader that cannot see the run's uncommitted
            // writes reads what the run's own connection would. The flags a run brings in line are read,
            // locked, on the run's connection (`FlagWriter`).
            var read: ReturnJudge.Prepared?
            var unwritten: Judgement?
            var judgedShares: [ReportingPeriod: [Int64: Decimal?]] = [:]
            // The young people each return read so far attested: a later period's history needs no query for them.
            var youngPeopleRead: ReturnJudge.YoungPeopleSeen = [:]
            // The groups of the batch being read, and the batches after it: the next one's returns possibly
            // read and decoded ahead.
            var groupsLeft: ArraySlice<[PendingReturn]> = []
            var batchesLeft = batches[...]
            var readAhead: [PendingReturn]?
            // The next group to read, a batch's returns loaded when the one before is used up (those of a
            // batch no pledge covers form no group: the next batch is loaded).
            func nextGroup() async throws -> [PendingReturn]? {
                while groupsLeft.isEmpty {
                    guard let batch = batchesLeft.popFirst() else { return nil }
                    let returns: [PendingReturn]
                    if let ahead = readAhead {
                        returns = ahead
                    } else {
                        returns = try await PendingReturn.load(ids: batch, on: reads)
                    }
                    readAhead = nil
                    groupsLeft = PendingReturn.groupedByCriteria(returns)[...]
                }
                return groupsLeft.popFirst()
            }
            // Judges what was read last while writing what was judged last and reading the next group — and,
            // while the cores have something to judge, the next batch's returns, decoded on the cores beside
            // the judging. The run's first step has nothing to judge: it reads the first group alone, so the
            // cores start on it as soon as it is read, and the next batch is read in the step after.
            func step() async throws {
                let stepStart = clock.now
                var reading = Duration.zero
                let toJudge = read
                let shares = toJudge.flatMap { judgedShares[$0.period.previous] } ?? [:]
                // All of it on the compute threads, the statements' binding too: the pool stays free for this
                // task to resume as soon as each of its statements returns.
                async let judging = withTaskExecutorPreference(ComputeThreads.shared) {
                    try await Judgement.of(toJudge, judgedShares: shares, actor: actor)
                }
                // The next group, and the next batch's returns while the cores have something to judge.
                func readNext() async throws -> PGRows? {
                    read = nil
                    if let group = try await nextGroup() {
                        let version = try await charter(group[0].charterVersionID, reads)
                        var cost = ReturnJudge.FiguresCost()
                        read = try await ReturnJudge.prepare(
                            group, by: version, rates: rates, holidays: holidays, knownYoungPeople: youngPeopleRead,
                            on: reads, cost: &cost)
                        for item in group {
                            youngPeopleRead[item.period, default: [:]][item.employerID] = .some(
                                item.header.attestations.youngPeople)
                        }
                        report.returnsMeasuredFromLines += cost.fromLines
                        report.timings.figures += cost.time.seconds
                        reading += cost.time
                    }
                    guard toJudge != nil, readAhead == nil, let batch = batchesLeft.first else { return nil }
                    return try await PendingReturn.rows(ids: batch, on: reads)
                }
                let toWrite = unwritten
                let ahead: PGRows?
                let wrote: (part: ComplianceRunReport, seconds: Double)?
                if reader != nil {
                    async let writing = written(toWrite, actor: actor, asOf: asOf, on: connection)
                    ahead = try await readNext()
                    wrote = try await writing
                } else {
                    wrote = try await written(toWrite, actor: actor, asOf: asOf, on: connection)
                    ahead = try await readNext()
                }
                async let decoded = PendingReturn.decode(ahead)
                if let wrote {
                    report.absorb(wrote.part)
                    report.timings.writing += wrote.seconds
                    if reader == nil { reading += .seconds(wrote.seconds) }
                }
                unwritten = try await judging
                if ahead != nil { readAhead = try await decoded }
                if let judged = unwritten {
                    report.errors += judged.errors
                    for evaluated in judged.evaluated {
                        judgedShares[judged.period, default: [:]][evaluated.employerID] = .some(evaluated.share)
                    }
                }
                // The rest of the step: reading returns and history, and waiting for the judging.
                report.timings.judging += (clock.now - stepStart - reading).seconds
            }
            // Until every group is read, judged and written (the last judged while the one before is written).
            repeat {
                try await step()
            } while read != nil || unwritten != nil
            let started = clock.now
            defer { report.timings.rest += (clock.now - started).seconds }
            // 2. Returns that should have arrived and have not.
            try await raiseMissingReturns(
                owing, asOf: asOf, holidays: holidays,
                charter: { try await charter($0, connection) }, actor: actor, report: &report, on: connection)
            // 3. Exemptions granted, revoked or expired since the last run.
            try await applyExemptions(asOf: asOf, actor: actor, report: &report, on: connection)
            // 4. Digests about what the run changed (a dry run counts them and rolls them back too).
            if let reportQueue {
                let digests = try await reportQueue.queueDigests(asOf: asOf, on: connection)
                report.emailsQueued = digests.queued
                report.errors += digests.unrendered
            }
            if !dryRun {
                try await AuditTrail.append(
                    on: connection, actor: actor, action: "compliance.run", entity: "compliance_run",
                    entityID: asOf.description, details: report.counts)
            }
        }
        try await pool.withConnection { connection in
            try await connection.simpleQuery("BEGIN")
            do {
                try await Self.setPassSettings(on: connection)
                // The run reads on a second connection while it writes on this one (a first run of 40,000
                // returns: 0.95–0.98 s against 1.02–1.04 s, charter-bench compliance, alternating) — when there
                // is something to judge, and the pool has room for two runs at once (one by hand during the
                // scheduled one) to hold two connections each; with less, each could hold one and wait for
                // another. The reader's transaction only reads, with the run's settings (it may make a pass
                // over lines), and ends with the run; it is not retried apart from the run.
                if !order.isEmpty, pool.configuration.maxConnections >= 4 {
                    try await pool.withTransaction(maxAttempts: 1) { reader in
                        try await reader.simpleQuery("SET TRANSACTION READ ONLY")
                        try await Self.setPassSettings(on: reader)
                        try await work(connection, reader)
                    }
                } else {
                    try await work(connection, nil)
                }
                try await connection.simpleQuery(dryRun ? "ROLLBACK" : "COMMIT")
            } catch {
                try? await connection.simpleQuery("ROLLBACK")
                throw error
            }
        }
        return report
    }

    // MARK: Evaluating returns

    /// Returns whose latest version is not judged yet, in evaluation order: oldest period first, then by id.
    /// (Which have a pledge in force, and the criteria they are judged by, each batch reads with its returns:
    /// `PendingReturn.rows`, `PendingReturn.groupedByCriteria`.)
    ///
    /// The versions no evaluation names and no later version replaces are found by hashing the tables
    /// against each other (20–40 ms for 40,000 returns all judged, where a lookup of each return's latest
    /// version took 250–350 ms). Putting them in order here, not in SQL with their pledges' criteria, saves
    /// a first run about 150 ms before it can start (40,000 returns, psql: joining each to its pledge and
    /// sorting by period, charter version and overrides took 210 ms after the 54 ms of finding them).
    static func pendingReturnIDs(on connection: PGConnection) async throws -> [Int64] {
        var pending: [(period: ReportingPeriod, id: Int64)] = []
        for row in try await connection.query(
            """
            SELECT v.return_id, r.period FROM return_versions v JOIN returns r ON r.id = v.return_id
            WHERE NOT EXISTS (SELECT 1 FROM return_versions n
                              WHERE n.return_id = v.return_id AND n.version_no > v.version_no)
              AND NOT EXISTS (SELECT 1 FROM return_evaluations e
                              WHERE e.return_id = v.return_id AND e.return_version_id = v.id)
            """)
        {
            let text = try row.decode(String.self, column: "period")
            guard let period = ReportingPeriod(text) else {
                throw CharterStoreError(.invalid, "a return has the unreadable period \"\(text)\"")
            }
            pending.append((period, try row.decode(Int64.self, column: "return_id")))
        }
        return pending.sorted { ($0.period, $0.id) < ($1.period, $1.id) }.map(\.id)
    }

    /// A group of returns judged: the findings of each, and the writes that record them — the evaluations,
    /// and the flags of employers with none for the period yet — decided and bound; worked out on the cores,
    /// without a connection, so the connection only sends them.
    struct Judgement: Sendable {
        struct Evaluated: Sendable {
            var returnID: Int64
            var versionID: Int64
            var employerID: Int64
            var share: Decimal?
            /// The return's evaluation is replaced, not added (`PendingReturn.judgedBefore`).
            var judgedBefore: Bool
        }

        var period: ReportingPeriod
        var charterVersionID: Int64
        var evaluated: [Evaluated] = []
        /// The statements recording the evaluations.
        var evaluations: [PGQuery] = []
        /// The flag writes, decided as far as they can be before the flags are read.
        var flags = FlagWriter.Prepared()
        /// Returns that could not be judged, each with why.
        var errors: [String] = []

        /// `prepared` judged, or nil when there is nothing to judge.
        static func of(_ prepared: ReturnJudge.Prepared?, judgedShares: [Int64: Decimal?], actor: String)
            async throws -> Judgement?
        {
            guard let prepared else { return nil }
            return try await Judgement(prepared, judgedShares: judgedShares, actor: actor)
        }

        init(_ prepared: ReturnJudge.Prepared, judgedShares: [Int64: Decimal?], actor: String) async throws {
            period = prepared.period
            charterVersionID = prepared.version.id
            var judged: [FlagWriter.Judged] = []
            for verdict in try await prepared.verdicts(judgedShares: judgedShares) {
                let item = verdict.item
                switch verdict.outcome {
                case .failure(let failure):
                    errors.append("employer \(item.employerID) \(item.period) was not judged: \(failure.message)")
                case .success(let findings):
                    judged.append(
                        FlagWriter.Judged(
                            employerID: item.employerID, period: item.period, findings: findings,
                            charterVersionID: charterVersionID, returnVersionID: item.versionID,
                            mayHaveFlags: item.flagged))
                    evaluated.append(
                        Evaluated(
                            returnID: item.returnID, versionID: item.versionID, employerID: item.employerID,
                            share: verdict.zeroHoursShare, judgedBefore: item.judgedBefore))
                }
            }
            flags = try FlagWriter.prepare(
                judged, encoded: try await FlagWriter.encodeEvidence(of: judged), actor: actor)
            evaluations = Self.evaluationStatements(evaluated, charterVersionID: charterVersionID)
        }

        /// A return judged before has its evaluation replaced, one never judged gets its first: two plain
        /// statements, where an upsert (`ON CONFLICT`) costs every row a speculative insertion (30–45 % more
        /// for a first judgement, psql, 40,000) and an update-then-insert in one statement about 80 % more.
        static func evaluationStatements(_ evaluated: [Evaluated], charterVersionID: Int64) -> [PGQuery] {
            let again = evaluated.filter(\.judgedBefore)
            let first = evaluated.filter { !$0.judgedBefore }
            var statements: [PGQuery] = []
            if !again.isEmpty {
                statements.append(
                    """
                    UPDATE return_evaluations e
                    SET return_version_id = j.v, charter_version_id = \(charterVersionID),
                        zero_hours_share = nullif(j.s, 'NaN'), evaluated_at = now()
                    FROM unnest(\(again.map(\.returnID))::bigint[], \(again.map(\.versionID))::bigint[],
                                \(again.map { $0.share ?? Decimal.nan })::numeric[]) AS j (r, v, s)
                    WHERE e.return_id = j.r
                    """)
            }
            if !first.isEmpty {
                statements.append(
                    """
                    INSERT INTO return_evaluations (return_id, return_version_id, charter_version_id, zero_hours_share)
                    SELECT r, v, \(charterVersionID), nullif(s, 'NaN')
                    FROM unnest(\(first.map(\.returnID))::bigint[], \(first.map(\.versionID))::bigint[],
                                \(first.map { $0.share ?? Decimal.nan })::numeric[]) AS j (r, v, s)
                    """)
            }
            return statements
        }
    }

    /// Settings for a transaction the run reads figures in, where a pass over worker lines may be made.
    private static func setPassSettings(on connection: PGConnection) async throws {
        // The grouped pass aggregates a batch's worker lines by (return version, mask) in each parallel
        // worker; with room for its hash table (about 30 MB a worker for 10,000 returns) PostgreSQL
        // hashes instead of sorting every line: 12 % less CPU for the pass (EXPLAIN, one process).
        try await connection.simpleQuery("SET LOCAL work_mem = '128MB'")
        // PostgreSQL's JIT compiles (inlines and optimises) the pass's per-line conditions anew in
        // every statement and in each parallel worker: 2 s of CPU for a batch of 10,000 returns,
        // more than the compiled code saves over the interpreter (EXPLAIN ANALYZE: 1.94 s with,
        // 1.51 s without). The run's statements are run once each, so none gains from it.
        try await connection.simpleQuery("SET LOCAL jit = off")
    }

    /// `write`s `judgement` (if any) into a report of its own, and how long it took.
    private func written(_ judgement: Judgement?, actor: String, asOf: CalendarDate, on connection: PGConnection)
        async throws -> (ComplianceRunReport, Double)?
    {
        guard let judgement else { return nil }
        let clock = ContinuousClock()
        let start = clock.now
        var part = ComplianceRunReport(asOf: asOf, dryRun: false)
        try await write(judgement, actor: actor, report: &part, on: connection)
        return (part, (clock.now - start).seconds)
    }

    /// Records a judged group: its evaluations, the flags of pairs that had none, then the flags of the
    /// others brought in line with its findings.
    private func write(
        _ judgement: Judgement, actor: String, report: inout ComplianceRunReport, on connection: PGConnection
    ) async throws {
        for statement in judgement.evaluations {
            try await connection.execute(statement)
        }
        report.returnsEvaluated += judgement.evaluated.count
        try await judgement.flags.write(actor: actor, report: &report, on: connection)
    }

    // MARK: Missing returns

    /// The pledges in force for each of the last eight quarters whose returns could be due by `asOf`, that
    /// have no return for it. Read for all eight at once (one pass over the pledges instead of eight: most
    /// nights this is most of a run).
    private static func owing(asOf: CalendarDate, on connection: PGConnection) async throws -> [PledgeInForce] {
        var periods: [ReportingPeriod] = []
        var cursor = ReportingPeriod(containing: asOf).previous
        for _ in 0..<8 {
            periods.append(cursor)
            cursor = cursor.previous
        }
        return try await PledgeStore.inForce(employerIDs: nil, periods: periods, withoutReturn: true, on: connection)
    }

    /// Raises a missing return for each pledge of `owing` (`owing(asOf:on:)`) whose return is late by `asOf`,
    /// a period at a time, oldest first.
    private func raiseMissingReturns(
        _ owing: [PledgeInForce], asOf: CalendarDate, holidays: BankHolidays,
        charter: (Int64) async throws -> CharterVersion, actor: String, report: inout ComplianceRunReport,
        on connection: PGConnection
    ) async throws {
        let asOfEnd = asOf.adding(days: 1).start(in: .europeLondon)
        let owing = Dictionary(grouping: owing, by: \.period)
        for period in owing.keys.sorted() {
            var judged: [FlagWriter.Judged] = []
            for pledge in owing[period] ?? [] {
                let version = try await charter(pledge.charterVersionID)
                // Late after 23:59:59 on the due date: missing once that moment has passed by `asOf`'s end.
                guard period.lateAfter(returnDueDays: version.returnDueDays, holidays: holidays) < asOfEnd,
                    let tier = Tier(rawValue: pledge.tier)
                else { continue }
                let overrides = try PledgeOverrides(json: Data(pledge.overrides.utf8))
                guard
                    let finding = ComplianceRules.missingReturn(
                        period: period, charterVersion: version, tier: tier, overrides: overrides,
                        dueDate: version.dueDate(of: period, holidays: holidays))
                else { continue }
                judged.append(
                    FlagWriter.Judged(
                        employerID: pledge.employerID, period: period,
                        findings: [finding], charterVersionID: version.id, returnVersionID: nil))
            }
            let before = report.changes.count
            try await FlagWriter.reconcile(judged, actor: actor, report: &report, on: connection)
            report.missingReturns +=
                report.changes[before...].filter {
                    ($0.kind == .opened || $0.kind == .reopened) && $0.standardID == "gov.return-missing"
                }.count
        }
    }

    // MARK: Exemptions

    /// Waives the flags an exemption now covers and unwaives the waived ones none covers any more, a
    /// set at a time: the states each may leave and enter are `FlagTransitions.moves`, bound as arrays.
    private func applyExemptions(
        asOf: CalendarDate, actor: String, report: inout ComplianceRunReport, on connection: PGConnection
    ) async throws {
        let covered: PGQuery = """
            EXISTS (SELECT 1 FROM exemptions x
                    WHERE x.employer_id = f.employer_id AND x.standard_id = f.standard_id AND x.revoked_at IS NULL
                      AND x.expires_on >= \(asOf.description)::date
                      AND (x.period_from IS NULL OR f.period >= x.period_from)
                      AND (x.period_to IS NULL OR f.period <= x.period_to))
            """
        let steps: [(FlagAction, FlagChange.Kind, PGQuery, String)] = [
            (.waive, .waived, covered, "covered by an exemption"),
            (.unwaive, .unwaived, "NOT \(covered)", "no exemption covers it any more"),
        ]
        for (action, kind, condition, note) in steps {
            let moves = FlagTransitions.moves(of: action, by: .system)
            let from = moves.map(\.from.rawValue)
            // `f.state = ANY(…)` as well as the join, so the planner can use the state index.
            let rows = try await connection.query(
                """
                WITH c AS (SELECT f.id, f.state AS from_state, t.to_state FROM flags f
                           JOIN unnest(\(from)::text[], \(moves.map(\.to.rawValue))::text[])
                                AS t (from_state, to_state) ON t.from_state = f.state
                           WHERE f.state = ANY(\(from)::text[]) AND \(condition)
                           FOR UPDATE OF f),
                     u AS (UPDATE flags SET state = c.to_state, updated_at = now() FROM c WHERE flags.id = c.id
                           RETURNING flags.id, flags.employer_id, flags.period, flags.standard_id, flags.subject,
                                     flags.severity),
                     e AS (INSERT INTO flag_events (flag_id, actor, kind, from_state, to_state, note)
                           SELECT c.id, \(actor), 'transition', c.from_state, c.to_state, \(note) FROM c)
                SELECT * FROM u
                """)
            for row in rows {
                report.changes.append(
                    FlagChange(
                        kind: kind, employerID: try row.decode(Int64.self, column: "employer_id"),
                        period: try row.decode(String.self, column: "period"),
                        standardID: try row.decode(String.self, column: "standard_id"),
                        subject: try row.decode(String.self, column: "subject"),
                        severity: try row.decode(String.self, column: "severity")))
            }
            if action == .waive { report.flagsWaived += rows.count } else { report.flagsUnwaived += rows.count }
        }
    }
}

extension Duration {
    fileprivate var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}

public import CharterDomain
import Crypto
public import Foundation
import Metrics
public import PGClient

/// A return as it arrives: the JSON header (which may carry the worker lines itself) and who sent it.
public struct ReturnSubmission: Sendable {
    public var employerID: Int64
    /// The period the sender means; when given it must match the header's.
    public var period: ReportingPeriod?
    public var submittedBy: String
    /// The JSON document of SPEC §3.
    public var header: Data
    /// A key the sender chose so a retried request is answered with the first result.
    public var idempotencyKey: String?
    /// When the return was received, for returns carried over from an earlier system (and the demo)
    /// with their original date; nil — every API and upload submission — means now. Never later
    /// than now.
    public var receivedAt: Date?

    public init(
        employerID: Int64, period: ReportingPeriod? = nil, submittedBy: String, header: Data,
        idempotencyKey: String? = nil, receivedAt: Date? = nil
    ) {
        self.employerID = employerID
        self.period = period
        self.submittedBy = submittedBy
        self.header = header
        self.idempotencyKey = idempotencyKey
        self.receivedAt = receivedAt
    }
}

/// Quarterly returns: immutable versions, their worker lines, history and differences.
public struct ReturnStore: Sendable {
    public let pool: PGPool
    /// The time now, by which a return for a period that has not ended is refused; tests set it.
    let now: @Sendable () -> Date

    /// - Parameter now: the clock (the system's by default), which decides whether a period has ended.
    public init(pool: PGPool, now: @escaping @Sendable () -> Date = { Date() }) {
        self.pool = pool
        self.now = now
    }

    /// Stores a JSON return whose worker lines, if any, are in its `lines` list.
    public func submit(_ submission: ReturnSubmission) async throws -> SubmissionOutcome {
        try await submit(submission, csv: nil as AsyncStream<[UInt8]>?)
    }

    /// Stores a return whose worker lines arrive as a CSV stream of byte chunks.
    ///
    /// The lines are validated as they stream and sent straight on to a COPY inside the
    /// transaction that creates the version row, so memory stays flat however long the file.
    /// A return with any error is rejected whole: the transaction rolls back and nothing is
    /// stored. Content equal to the latest version stores nothing and says so. A repeated
    /// Idempotency-Key with the same content is answered with the first result.
    ///
    /// `progress` is told how many worker lines have been read, after each chunk.
    public func submit<Chunks: AsyncSequence>(
        _ submission: ReturnSubmission, csv: Chunks?, progress: (Int) -> Void = { _ in }
    ) async throws -> SubmissionOutcome where Chunks.Element == [UInt8] {
        let document = ReturnJSONReader.read(json: submission.header)
        var report = document.report
        if csv != nil, document.lines != nil {
            report.error(
                column: "lines",
                "the worker lines came both in the header's lines list and as a CSV file; send them one way")
        }
        if let asked = submission.period, let header = document.header, header.period != asked {
            report.error(
                column: "period",
                "the header is for \(header.period) but the return was submitted for \(asked); correct one of them")
        }
        // A return for a period that has not ended is refused on every path (SPEC §2): the API, the
        // uploads, the web form and charterctl all submit here.
        if let period = document.header?.period ?? submission.period {
            let current = now()
            let received = min(submission.receivedAt ?? current, current)
            if let refusal = period.refusalBeforeItEnds(receivedAt: received) {
                report.error(column: "period", refusal)
            }
        }
        guard report.isAccepted, let header = document.header else {
            // Still read the CSV, so the sender hears about every problem at once.
            if let csv, let snapshot = (document.header?.period ?? submission.period)?.snapshot {
                report.merge(
                    try await Self.validateOnly(csv, snapshot: snapshot, headcount: document.header?.headcount))
            }
            return .rejected(report)
        }
        let context = try await dueContext(employerID: submission.employerID, period: header.period)
        do {
            let result = try await pool.withTransaction { connection in
                try await store(
                    submission, header: header, jsonLines: document.lines, csv: csv, headerReport: report,
                    context: context, progress: progress, on: connection)
            }
            if result.status == .created {
                Self.linesIngested.increment(by: result.version.lineCount.exactCount ?? 0)
            }
            return .accepted(result)
        } catch let abort as Abort {
            switch abort {
            case .rejected(let report): return .rejected(report)
            case .settled(let result): return .accepted(result)
            }
        }
    }

    /// Worker lines stored by accepted returns, for `/metrics` (`charter_worker_lines_ingested_total`).
    static let linesIngested = Counter(label: "charter_worker_lines_ingested_total")

    /// Ways a submission ends without committing: thrown to roll the transaction back.
    private enum Abort: Error {
        case rejected(ValidationReport)
        /// Nothing new to store: unchanged content, or a replayed Idempotency-Key.
        case settled(SubmissionResult)
    }

    /// What lateness is judged by: the due-date offset of the employer's charter version and the holidays.
    struct DueContext {
        var returnDueDays: Int
        var holidays: BankHolidays
    }

    func dueContext(employerID: Int64, period: ReportingPeriod) async throws -> DueContext {
        try await pool.withConnection { connection in
            guard try await connection.query("SELECT 1 FROM employers WHERE id = \(employerID)").first != nil else {
                throw CharterStoreError(.notFound, "there is no employer \(employerID)")
            }
            // The pledge in force at the snapshot decides the charter version; without one, the newest published.
            let version = try await CharterVersionStore.versionInForce(
                employerID: employerID, period: period, on: connection)
            let holidays = try await BankHolidays.load(on: connection)
            return DueContext(
                returnDueDays: version?.returnDueDays ?? CharterVersion.defaultReturnDueDays, holidays: holidays)
        }
    }

    /// Stores one accepted-so-far return in the caller's transaction, step by step: lock the return,
    /// look up a replayed Idempotency-Key, insert the version row, stream the lines, compare with the
    /// previous version, add the contractors, complete the version and audit it. A step that finds
    /// nothing to store throws `Abort`, which rolls the transaction back.
    private func store<Chunks: AsyncSequence>(
        _ submission: ReturnSubmission, header: ReturnHeader, jsonLines: [WorkerLine]?, csv: Chunks?,
        headerReport: ValidationReport, context: DueContext, progress: (Int) -> Void, on connection: PGConnection
    ) async throws -> SubmissionResult where Chunks.Element == [UInt8] {
        let employerID = submission.employerID
        let returnID = try await lockReturn(of: submission, period: header.period, on: connection)
        let replay = try await idempotencyReplay(of: submission, context: context, on: connection)
        let previous = try await latestVersion(returnID: returnID, on: connection)
        let source = csv == nil ? "json" : "csv"
        let number = (previous?.version ?? 0) + 1
        let (versionID, receivedAt) = try await insertVersion(
            returnID: returnID, number: number, source: source, of: submission, on: connection)
        let headerJSON = try JSONEncoder.charter.encode(header)
        // What the nightly run will measure the lines against, so their figures are worked out as they
        // stream in; nil when no pledge is in force at the snapshot.
        let criteria =
            replay == nil
            ? try await ReturnFiguresStore.criteria(employerID: employerID, period: header.period, on: connection) : nil
        let copied = try await copyLines(
            versionID: versionID, header: header, headerJSON: headerJSON, jsonLines: jsonLines, csv: csv,
            headerReport: headerReport, criteria: criteria, writeLines: replay == nil, progress: progress,
            on: connection)

        if let replay {
            guard replay.hash == copied.contentHash else {
                throw CharterStoreError(
                    .conflict,
                    "Idempotency-Key \"\(submission.idempotencyKey ?? "")\" was already used for a different return;"
                        + " use a new key for new content")
            }
            throw Abort.settled(replay.result)
        }

        let (changes, lineCounts) = try await diff(
            header: header, contentHash: copied.contentHash, versionID: versionID, against: previous,
            context: context, on: connection)
        try await insertContractors(header.contractors, versionID: versionID, on: connection)
        try await completeVersion(
            versionID: versionID, contentHash: copied.contentHash, header: header, headerJSON: headerJSON,
            changes: changes, lineCount: copied.lineCount, warnings: copied.report.warnings, on: connection)
        // SPEC §11: the outcome figures are kept with the version, from the lines just streamed.
        try await OutcomeStore.insert(
            copied.outcomes.figures(header: header), versionID: versionID, period: header.period, on: connection)
        // And the figures the nightly run judges it by, so it need not read the lines again.
        if let figures = copied.figures {
            try await ReturnFiguresStore.keep(
                figures.figures, versionID: versionID, criteria: figures.criteria, on: connection)
        }

        let stored = StoredVersion(
            employerID: employerID, period: header.period, returnID: returnID, versionID: versionID,
            version: number, receivedAt: receivedAt, submittedBy: submission.submittedBy,
            source: source, contentHash: copied.contentHash, lineCount: copied.lineCount, changes: changes,
            warnings: copied.report.warnings, header: header, linesPurged: false)
        let result = SubmissionResult(status: .created, version: stored.version(context))
        try await rememberIdempotencyKey(
            of: submission, result: result, contentHash: copied.contentHash, on: connection)
        try await audit(stored, lineCounts: lineCounts, on: connection)
        return result
    }

    /// Creates the return row if this is the period's first submission, and locks it.
    ///
    /// Locking the return serialises submissions for it: version numbers never collide.
    private func lockReturn(
        of submission: ReturnSubmission, period: ReportingPeriod, on connection: PGConnection
    ) async throws -> Int64 {
        let employerID = submission.employerID
        let period = period.description
        try await connection.execute(
            """
            INSERT INTO returns (employer_id, period, first_received_at)
            VALUES (\(employerID), \(period), LEAST(COALESCE(\(submission.receivedAt)::timestamptz, now()), now()))
            ON CONFLICT (employer_id, period) DO NOTHING
            """)
        return try await connection.query(
            "SELECT id FROM returns WHERE employer_id = \(employerID) AND period = \(period) FOR UPDATE"
        )[0].decode(Int64.self, column: "id")
    }

    /// The first result for a repeated Idempotency-Key and the content hash it was given for; nil when the
    /// key is new (or there is none).
    ///
    /// The content still has to be hashed to tell a true retry from a key reused for other content.
    private func idempotencyReplay(
        of submission: ReturnSubmission, context: DueContext, on connection: PGConnection
    ) async throws -> (hash: [UInt8], result: SubmissionResult)? {
        guard let key = submission.idempotencyKey,
            let row = try await connection.query(
                """
                SELECT request_hash, response::text AS response FROM idempotency_keys
                WHERE employer_id = \(submission.employerID) AND key = \(key)
                """
            ).first
        else { return nil }
        let first = try JSONDecoder.charter.decode(
            SubmissionResult.self, from: Data(try row.decode(String.self, column: "response").utf8))
        // The version itself is immutable: read it back rather than trust a JSON copy of it.
        let version = try await connection.query(
            "\(StoredVersion.select) WHERE v.id = \(first.version.versionID)"
        ).first.map { try StoredVersion($0).version(context) }
        var result = SubmissionResult(status: first.status, version: version ?? first.version)
        result.replayed = true
        return (try row.decode(PGBytes.self, column: "request_hash").bytes, result)
    }

    /// Inserts the new version's row before its lines, so the COPY has an id to point them at.
    ///
    /// Its hash, header and counts are known only once the lines have streamed through: they are a
    /// placeholder here, filled in by `completeVersion`, in the same transaction.
    private func insertVersion(
        returnID: Int64, number: Int, source: String, of submission: ReturnSubmission, on connection: PGConnection
    ) async throws -> (id: Int64, receivedAt: Date) {
        let placeholder = try await connection.query(
            """
            INSERT INTO return_versions (return_id, version_no, submitted_by, source, content_hash, header,
                                         idempotency_key, received_at)
            VALUES (\(returnID), \(number), \(submission.submittedBy),
                    \(source), '\\x'::bytea, '{}'::jsonb, \(submission.idempotencyKey),
                    LEAST(COALESCE(\(submission.receivedAt)::timestamptz, now()), now()))
            RETURNING id, received_at
            """)[0]
        return (
            try placeholder.decode(Int64.self, column: "id"), try placeholder.decode(Date.self, column: "received_at")
        )
    }

    /// Validates the lines as they stream and sends them straight on to a COPY, hashing the content and
    /// adding up the outcome figures (and the rules' figures, measured against `criteria`) as it goes, so
    /// memory stays flat however long the file.
    ///
    /// With `writeLines` false (a replay) the lines are only hashed. A return with any error throws
    /// `Abort.rejected`, which aborts the COPY and rolls everything back.
    private func copyLines<Chunks: AsyncSequence>(
        versionID: Int64, header: ReturnHeader, headerJSON: Data, jsonLines: [WorkerLine]?, csv: Chunks?,
        headerReport: ValidationReport, criteria: ReturnFigures.Criteria?, writeLines: Bool,
        progress: (Int) -> Void, on connection: PGConnection
    ) async throws -> (
        lineCount: Int, contentHash: [UInt8], report: ValidationReport, outcomes: OutcomeFigures.Tally,
        figures: ReturnFigures.Tally?
    )
    where Chunks.Element == [UInt8] {
        var hasher = SHA256()
        var outcomes = OutcomeFigures.Tally()
        var figures = criteria.map(ReturnFigures.Tally.init)
        hasher.update(data: headerJSON)
        var report = headerReport
        let copied = try await connection.copyFrom(
            "COPY worker_lines (return_version_id, line_no, \(PGQuery(unsafeSQL: WorkerLine.contentColumns.joined(separator: ", ")))) FROM STDIN"
        ) { writer in
            var lineNo = 0
            var row: [UInt8] = []
            var decimals = DecimalTextCache()
            let prefix = Array("\(versionID)\t".utf8)
            func emit(_ lines: [WorkerLine], stillClean: Bool) async throws {
                for line in lines {
                    lineNo += 1
                    row.removeAll(keepingCapacity: true)
                    row.append(contentsOf: prefix)
                    row.append(contentsOf: String(lineNo).utf8)
                    row.append(9)
                    let content = row.count
                    line.appendCopyText(to: &row, decimals: &decimals)
                    row.append(10)
                    // The hash covers the content only: ids and line numbers are not content.
                    hasher.update(data: row[content...])
                    if writeLines && stillClean {
                        try await writer.write(bytes: row)
                        outcomes.add(line)
                        figures?.add(line)
                    }
                }
            }
            if let jsonLines {
                try await emit(jsonLines, stillClean: true)
            } else if let csv {
                var reader = WorkerLineCSVReader(snapshot: header.period.snapshot, expectedLines: header.headcount)
                var batch: [WorkerLine] = []
                for try await chunk in csv {
                    reader.consume(chunk) { batch.append($0) }
                    try await emit(batch, stillClean: reader.report.isAccepted)
                    batch.removeAll(keepingCapacity: true)
                    progress(reader.linesSeen)
                }
                reader.finish(headcount: header.headcount) { batch.append($0) }
                try await emit(batch, stillClean: reader.report.isAccepted)
                report.merge(reader.report)
            }
            if !report.isAccepted { throw Abort.rejected(report) }
        }
        return (copied, Array(hasher.finalize()), report, outcomes, figures)
    }

    /// What changed since the previous version: header fields and lines added, removed and changed
    /// (the exact counts too, for the audit row; the summary holds them as worker counts).
    ///
    /// Throws `Abort.settled` with the previous version when nothing a reader would notice changed: the
    /// same content, or the same lines in another order under the same header.
    private func diff(
        header: ReturnHeader, contentHash: [UInt8], versionID: Int64, against previous: StoredVersion?,
        context: DueContext, on connection: PGConnection
    ) async throws -> (changes: ReturnChanges, lineCounts: (added: Int, removed: Int, changed: Int)) {
        var changes = ReturnChanges(previousVersion: previous?.version)
        var lineCounts = (added: 0, removed: 0, changed: 0)
        guard let previous else { return (changes, lineCounts) }
        if previous.contentHash == contentHash {
            throw Abort.settled(SubmissionResult(status: .unchanged, version: previous.version(context)))
        }
        changes.headerFields = header.changedFields(since: previous.header)
        if previous.linesPurged {
            changes.previousLinesPurged = true
        } else {
            lineCounts = try await lineChanges(from: previous.versionID, to: versionID, on: connection)
            changes.linesAdded = .exact(lineCounts.added)
            changes.linesRemoved = .exact(lineCounts.removed)
            changes.linesChanged = .exact(lineCounts.changed)
        }
        // Same lines in another order, same header: nothing a reader of the return would notice.
        if changes.isEmpty && !changes.previousLinesPurged {
            throw Abort.settled(SubmissionResult(status: .unchanged, version: previous.version(context)))
        }
        return (changes, lineCounts)
    }

    /// Stores the header's contractors against the version, in the header's order.
    private func insertContractors(
        _ contractors: [Contractor], versionID: Int64, on connection: PGConnection
    ) async throws {
        for (position, contractor) in contractors.enumerated() {
            try await connection.execute(
                """
                INSERT INTO contractors (return_version_id, position, supplier, service, workers, hours_per_day,
                                         consecutive_weeks, rlw_paid, milestone)
                VALUES (\(versionID), \(position + 1), \(contractor.supplier), \(contractor.service),
                        \(contractor.workers), \(contractor.hoursPerDay), \(contractor.consecutiveWeeks),
                        \(contractor.rlwPaid), \(contractor.milestone?.description)::date)
                """)
        }
    }

    /// Fills in what `insertVersion` left as a placeholder, now that the lines have been read: the content
    /// hash, the header, the change summary, the line count and the warnings.
    private func completeVersion(
        versionID: Int64, contentHash: [UInt8], header: ReturnHeader, headerJSON: Data, changes: ReturnChanges,
        lineCount: Int, warnings: [ReturnIssue], on connection: PGConnection
    ) async throws {
        let warnings = String(decoding: try JSONEncoder.charter.encode(warnings), as: UTF8.self)
        let changesJSON = String(decoding: try JSONEncoder.charter.encode(changes), as: UTF8.self)
        try await connection.execute(
            """
            UPDATE return_versions
            SET content_hash = \(PGBytes(contentHash)), header = \(String(decoding: headerJSON, as: UTF8.self))::jsonb,
                header_packed = \(PGBytes(header.packed)),
                change_summary = \(changesJSON)::jsonb, line_count = \(lineCount), warnings = \(warnings)::jsonb
            WHERE id = \(versionID)
            """)
    }

    /// Keeps the result under the submission's Idempotency-Key, if it has one, so a retry is answered
    /// with it (`idempotencyReplay`).
    private func rememberIdempotencyKey(
        of submission: ReturnSubmission, result: SubmissionResult, contentHash: [UInt8], on connection: PGConnection
    ) async throws {
        guard let key = submission.idempotencyKey else { return }
        let response = String(decoding: try JSONEncoder.charter.encode(result), as: UTF8.self)
        try await connection.execute(
            """
            INSERT INTO idempotency_keys (employer_id, key, request_hash, response)
            VALUES (\(submission.employerID), \(key), \(PGBytes(contentHash)), \(response)::jsonb)
            """)
    }

    /// The audit row of a stored version: who sent what, and how it differs from the one before.
    private func audit(
        _ stored: StoredVersion, lineCounts: (added: Int, removed: Int, changed: Int), on connection: PGConnection
    ) async throws {
        try await AuditTrail.append(
            on: connection, actor: stored.submittedBy, action: "return.submit", entity: "return_version",
            entityID: String(stored.versionID),
            details: [
                "employer_id": stored.employerID, "period": stored.period.description, "version": stored.version,
                "line_count": stored.lineCount, "content_hash": stored.contentHash.hex,
                "lines_added": lineCounts.added, "lines_removed": lineCounts.removed,
                "lines_changed": lineCounts.changed, "header_fields": stored.changes.headerFields,
            ])
    }

    /// Counts lines added, removed and changed between two versions, matched by worker_ref, in one pass.
    private func lineChanges(
        from old: Int64, to new: Int64, on connection: PGConnection
    ) async throws -> (added: Int, removed: Int, changed: Int) {
        let columns = WorkerLine.contentColumns.dropFirst()
        let newRow = columns.map { "n.\($0)" }.joined(separator: ", ")
        let oldRow = columns.map { "o.\($0)" }.joined(separator: ", ")
        let row = try await connection.query(
            """
            SELECT count(*) FILTER (WHERE o.worker_ref IS NULL) AS added,
                   count(*) FILTER (WHERE n.worker_ref IS NULL) AS removed,
                   count(*) FILTER (WHERE n.worker_ref IS NOT NULL AND o.worker_ref IS NOT NULL
                                    AND ROW(\(PGQuery(unsafeSQL: newRow))) IS DISTINCT FROM ROW(\(PGQuery(unsafeSQL: oldRow)))) AS changed
            FROM (SELECT * FROM worker_lines WHERE return_version_id = \(new)) n
            FULL JOIN (SELECT * FROM worker_lines WHERE return_version_id = \(old)) o USING (worker_ref)
            """)[0]
        return (
            try row.decode(Int.self, column: "added"), try row.decode(Int.self, column: "removed"),
            try row.decode(Int.self, column: "changed")
        )
    }

    /// Reads a CSV to the end only to report on it (the header already failed).
    static func validateOnly<Chunks: AsyncSequence>(
        _ csv: Chunks, snapshot: CalendarDate, headcount: Int?
    ) async throws -> ValidationReport where Chunks.Element == [UInt8] {
        var reader = WorkerLineCSVReader(snapshot: snapshot)
        for try await chunk in csv { reader.consume(chunk) { _ in } }
        reader.finish(headcount: headcount) { _ in }
        return reader.report
    }
}

extension Array where Element == UInt8 {
    /// Lower-case hex, as digests are shown in audit rows and stored keys.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension JSONEncoder {
    /// JSON of the store's own records (explicit snake_case keys), sorted, ISO 8601 instants.
    public static var charter: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

extension JSONDecoder {
    /// Reads what `JSONEncoder.charter` wrote.
    public static var charter: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

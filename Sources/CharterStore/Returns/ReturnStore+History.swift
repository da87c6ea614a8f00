public import CharterDomain
import Foundation
import PGClient

/// A version row as read back, with the header needed to compare the next version against it.
struct StoredVersion {
    var employerID: Int64
    var period: ReportingPeriod
    var returnID: Int64
    var versionID: Int64
    var version: Int
    var receivedAt: Date
    var submittedBy: String
    var source: String
    var contentHash: [UInt8]
    var lineCount: Int
    var changes: ReturnChanges
    var warnings: [ReturnIssue]
    var header: ReturnHeader
    var linesPurged: Bool

    func version(_ context: ReturnStore.DueContext?) -> ReturnVersion {
        let due = context.map { period.dueDate(returnDueDays: $0.returnDueDays, holidays: $0.holidays) }
        let late = context.map {
            period.isLate(received: receivedAt, returnDueDays: $0.returnDueDays, holidays: $0.holidays)
        }
        return ReturnVersion(
            employerID: employerID, period: period, returnID: returnID, versionID: versionID, version: version,
            receivedAt: receivedAt, submittedBy: submittedBy, source: source, contentHash: contentHash.hex,
            lineCount: .exact(lineCount), changes: changes, warnings: warnings, dueDate: due, late: late)
    }

    static let select: PGQuery = """
        SELECT r.employer_id, r.period, r.id AS return_id, v.id AS version_id, v.version_no, v.received_at,
               v.submitted_by, v.source, v.content_hash, v.line_count, v.change_summary::text AS change_summary,
               v.warnings::text AS warnings, v.header::text AS header, v.lines_purged_at IS NOT NULL AS purged
        FROM return_versions v JOIN returns r ON r.id = v.return_id
        """

}

extension StoredVersion {
    init(_ row: PGRow) throws {
        employerID = try row.decode(Int64.self, column: "employer_id")
        let periodText = try row.decode(String.self, column: "period")
        guard let period = ReportingPeriod(periodText) else {
            throw CharterStoreError(.invalid, "stored period \(periodText) is not a quarter")
        }
        self.period = period
        returnID = try row.decode(Int64.self, column: "return_id")
        versionID = try row.decode(Int64.self, column: "version_id")
        version = try row.decode(Int.self, column: "version_no")
        receivedAt = try row.decode(Date.self, column: "received_at")
        submittedBy = try row.decode(String.self, column: "submitted_by")
        source = try row.decode(String.self, column: "source")
        contentHash = try row.decode(PGBytes.self, column: "content_hash").bytes
        lineCount = try row.decode(Int.self, column: "line_count")
        let changesText = try row.decode(String.self, column: "change_summary")
        changes =
            (try? JSONDecoder.charter.decode(ReturnChanges.self, from: Data(changesText.utf8)))
            ?? ReturnChanges(previousVersion: nil)
        warnings = try JSONDecoder.charter.decode(
            [ReturnIssue].self, from: Data(try row.decode(String.self, column: "warnings").utf8))
        header = try JSONDecoder.charter.decode(
            ReturnHeader.self, from: Data(try row.decode(String.self, column: "header").utf8))
        linesPurged = try row.decode(Bool.self, column: "purged")
    }
}

/// One worker line that differs between two versions of a return.
public struct LineDifference: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case added, removed, changed
    }

    public var workerRef: String
    public var kind: Kind
    /// For `changed`: the columns whose values differ, each with its old and new value.
    public var columns: [ColumnChange]

    public struct ColumnChange: Sendable, Hashable, Codable {
        public var column: String
        public var old: String?
        public var new: String?
    }

    enum CodingKeys: String, CodingKey {
        case workerRef = "worker_ref"
        case kind, columns
    }
}

/// Two versions of a return compared: the counts and header fields (`ReturnChanges`), and for the
/// employer and the charter team the differing worker lines themselves.
public struct ReturnDiff: Sendable, Hashable, Codable {
    public var from: ReturnVersion
    public var to: ReturnVersion
    /// The lines added, removed and changed, and the header fields that differ; `previousVersion` is `from`'s.
    public var changes: ReturnChanges
    /// The first differences by worker_ref (at most the limit asked for); nil when withheld from a rep.
    public var lines: [LineDifference]?

    public var headerFields: [String] { changes.headerFields }
    public var linesAdded: WorkerCount { changes.linesAdded }
    public var linesRemoved: WorkerCount { changes.linesRemoved }
    public var linesChanged: WorkerCount { changes.linesChanged }

    public init(from: ReturnVersion, to: ReturnVersion, changes: ReturnChanges, lines: [LineDifference]?) {
        self.from = from
        self.to = to
        self.changes = changes
        self.lines = lines
    }

    /// The comparison as union reps see it (SPEC §4): both versions and the counts suppressed, header
    /// fields named, and no worker line at all — a line names its worker_ref and, for a pay change, one
    /// worker's rate.
    public func forReps() -> ReturnDiff {
        ReturnDiff(from: from.forReps(), to: to.forReps(), changes: changes.forReps(), lines: nil)
    }

    enum CodingKeys: String, CodingKey {
        case from, to
        case headerFields = "header_fields"
        case linesAdded = "lines_added"
        case linesRemoved = "lines_removed"
        case linesChanged = "lines_changed"
        case lines
    }

    // Flat, as it always was: the counts beside `from` and `to`, not under a `changes` key.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(headerFields, forKey: .headerFields)
        try container.encode(linesAdded, forKey: .linesAdded)
        try container.encode(linesRemoved, forKey: .linesRemoved)
        try container.encode(linesChanged, forKey: .linesChanged)
        try container.encodeIfPresent(lines, forKey: .lines)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        from = try container.decode(ReturnVersion.self, forKey: .from)
        to = try container.decode(ReturnVersion.self, forKey: .to)
        changes = ReturnChanges(previousVersion: from.version)
        changes.headerFields = try container.decode([String].self, forKey: .headerFields)
        changes.linesAdded = try container.decode(WorkerCount.self, forKey: .linesAdded)
        changes.linesRemoved = try container.decode(WorkerCount.self, forKey: .linesRemoved)
        changes.linesChanged = try container.decode(WorkerCount.self, forKey: .linesChanged)
        lines = try container.decodeIfPresent([LineDifference].self, forKey: .lines)
    }
}

extension ReturnStore {
    func latestVersion(returnID: Int64, on connection: PGConnection) async throws -> StoredVersion? {
        try await connection.query(
            "\(StoredVersion.select) WHERE v.return_id = \(returnID) ORDER BY v.version_no DESC LIMIT 1"
        ).first.map(StoredVersion.init)
    }

    /// Every version of an employer's return for a period, oldest first; empty when none was sent.
    public func history(employerID: Int64, period: ReportingPeriod) async throws -> [ReturnVersion] {
        let context = try await dueContext(employerID: employerID, period: period)
        return try await pool.withConnection { connection in
            try await connection.query(
                """
                \(StoredVersion.select)
                WHERE r.employer_id = \(employerID) AND r.period = \(period.description)
                ORDER BY v.version_no
                """
            ).map { try StoredVersion($0).version(context) }
        }
    }

    /// One version (the latest when `version` is nil) with its header, or nil.
    public func show(
        employerID: Int64, period: ReportingPeriod, version: Int? = nil
    ) async throws -> (version: ReturnVersion, header: ReturnHeader)? {
        let context = try await dueContext(employerID: employerID, period: period)
        return try await pool.withConnection { connection in
            let row = try await connection.query(
                """
                \(StoredVersion.select)
                WHERE r.employer_id = \(employerID) AND r.period = \(period.description)
                  AND (\(version)::int IS NULL OR v.version_no = \(version))
                ORDER BY v.version_no DESC LIMIT 1
                """
            ).first
            return try row.map { row in
                let stored = try StoredVersion(row)
                return (stored.version(context), stored.header)
            }
        }
    }

    /// Compares two versions line by line (matched by worker_ref) and field by field.
    public func diff(
        employerID: Int64, period: ReportingPeriod, from old: Int, to new: Int, limit: Int = 100
    ) async throws -> ReturnDiff {
        let context = try await dueContext(employerID: employerID, period: period)
        return try await pool.withConnection { connection in
            func load(_ number: Int) async throws -> StoredVersion {
                guard
                    let row = try await connection.query(
                        """
                        \(StoredVersion.select)
                        WHERE r.employer_id = \(employerID) AND r.period = \(period.description)
                          AND v.version_no = \(number)
                        """
                    ).first
                else {
                    throw CharterStoreError(
                        .notFound, "employer \(employerID) has no version \(number) of its \(period) return")
                }
                return try StoredVersion(row)
            }
            let from = try await load(old)
            let to = try await load(new)
            if from.linesPurged || to.linesPurged {
                throw CharterStoreError(
                    .notFound,
                    "the worker lines of version \(from.linesPurged ? old : new) were deleted by retention;"
                        + " only the header can be compared")
            }
            let columns = WorkerLine.contentColumns.dropFirst()
            let pairs = columns.map { "\($0)" }
            let newRow = pairs.map { "n.\($0)" }.joined(separator: ", ")
            let oldRow = pairs.map { "o.\($0)" }.joined(separator: ", ")
            let changedColumns = pairs.map {
                "CASE WHEN n.\($0) IS DISTINCT FROM o.\($0) THEN '\($0)' END"
            }.joined(separator: ", ")
            let oldValues = pairs.map { "o.\($0)::text" }.joined(separator: ", ")
            let newValues = pairs.map { "n.\($0)::text" }.joined(separator: ", ")
            let rows = try await connection.query(
                """
                WITH d AS (
                    SELECT worker_ref,
                           CASE WHEN o.worker_ref IS NULL THEN 'added'
                                WHEN n.worker_ref IS NULL THEN 'removed' ELSE 'changed' END AS kind,
                           array_remove(ARRAY[\(PGQuery(unsafeSQL: changedColumns))], NULL) AS changed,
                           to_jsonb(ARRAY[\(PGQuery(unsafeSQL: oldValues))])::text AS old_values,
                           to_jsonb(ARRAY[\(PGQuery(unsafeSQL: newValues))])::text AS new_values
                    FROM (SELECT * FROM worker_lines WHERE return_version_id = \(to.versionID)) n
                    FULL JOIN (SELECT * FROM worker_lines WHERE return_version_id = \(from.versionID)) o
                        USING (worker_ref)
                    WHERE o.worker_ref IS NULL OR n.worker_ref IS NULL
                       OR ROW(\(PGQuery(unsafeSQL: newRow))) IS DISTINCT FROM ROW(\(PGQuery(unsafeSQL: oldRow)))
                )
                SELECT d.*, count(*) FILTER (WHERE kind = 'added') OVER () AS added,
                       count(*) FILTER (WHERE kind = 'removed') OVER () AS removed,
                       count(*) FILTER (WHERE kind = 'changed') OVER () AS changed_count
                FROM d ORDER BY worker_ref LIMIT \(limit)
                """)
            var differences: [LineDifference] = []
            var counts = (added: 0, removed: 0, changed: 0)
            let names = Array(pairs)
            for row in rows {
                counts = (
                    try row.decode(Int.self, column: "added"), try row.decode(Int.self, column: "removed"),
                    try row.decode(Int.self, column: "changed_count")
                )
                let kind = LineDifference.Kind(rawValue: try row.decode(String.self, column: "kind")) ?? .changed
                var columns: [LineDifference.ColumnChange] = []
                if kind == .changed {
                    let changed = Set(try row.decode([String].self, column: "changed"))
                    let oldValues = try JSONDecoder.charter.decode(
                        [String?].self, from: Data(try row.decode(String.self, column: "old_values").utf8))
                    let newValues = try JSONDecoder.charter.decode(
                        [String?].self, from: Data(try row.decode(String.self, column: "new_values").utf8))
                    for (index, name) in names.enumerated() where changed.contains(name) {
                        columns.append(.init(column: name, old: oldValues[index], new: newValues[index]))
                    }
                }
                differences.append(
                    LineDifference(
                        workerRef: try row.decode(String.self, column: "worker_ref"), kind: kind, columns: columns))
            }
            var changes = ReturnChanges(previousVersion: from.version)
            changes.headerFields = to.header.changedFields(since: from.header)
            changes.linesAdded = .exact(counts.added)
            changes.linesRemoved = .exact(counts.removed)
            changes.linesChanged = .exact(counts.changed)
            return ReturnDiff(
                from: from.version(context), to: to.version(context), changes: changes, lines: differences)
        }
    }
}

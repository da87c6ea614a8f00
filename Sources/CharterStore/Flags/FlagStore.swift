public import CharterAccess
import CharterDomain
import Foundation
public import PGClient

/// Flags as people see and handle them: the rep queue (lists, counts), one flag with its history, and
/// the actions reps, admins and employers take on a flag.
///
/// Reads are scoped by `EmployerScope` in SQL. Actions go through `FlagTransitions` (the one table of
/// allowed transitions) and write the state, a flag event and an audit row in one transaction. The
/// nightly run writes flags through `FlagWriter`; both lock the flag rows they change, so a person's
/// action and the run never interleave on one flag.
public struct FlagStore: Sendable {
    public let pool: PGPool

    /// The most flags one page holds.
    public static let pageLimit = 500

    /// Queues the notices an action calls for (a response or dispute to the reps, a resolution to the
    /// employer) in the action's own transaction. Default: nil, no notices.
    public var reportQueue: (any FlagNoticeQueuing)?

    /// Employer names and standard titles for lists, shared by every copy of this store: create the
    /// store once and keep it, not per request.
    public let labels: FlagLabels

    public init(pool: PGPool, reportQueue: (any FlagNoticeQueuing)? = nil, labels: FlagLabels = FlagLabels()) {
        self.pool = pool
        self.reportQueue = reportQueue
        self.labels = labels
    }

    /// The flags matching `filter` among the employers in `visible`, newest first (by id), at most
    /// `limit` (1...500) of them.
    ///
    /// `cursor` is the previous page's `nextCursor` (nil for the first page). Paging by id rather than
    /// by offset means a flag opened or changed meanwhile never makes a page repeat or skip one.
    ///
    /// - Throws: `CharterStoreError.Code.invalid` for a limit outside 1...500 or a cursor this store did
    ///   not give out.
    public func list(_ filter: Filter, visible: EmployerScope, cursor: String?, limit: Int) async throws -> FlagPage {
        guard (1...Self.pageLimit).contains(limit) else {
            throw CharterStoreError(.invalid, "a page holds 1 to \(Self.pageLimit) flags, not \(limit)")
        }
        let before = try cursor.map(FlagCursor.init(text:))
        guard var condition = filter.condition(visible: visible) else { return FlagPage(flags: [], nextCursor: nil) }
        if let before { condition.append(" AND f.id < \(before.beforeID)") }
        var query = FlagRowReader.listSelect
        query.append(" WHERE ")
        query.append(condition)
        // The limit as a literal, so the prepared statement's plan is reused (see `literal:`).
        query.append(" ORDER BY f.id DESC LIMIT \(literal: limit + 1)")
        // Queued with other requests' statements (the rep queue is the hottest read); binary rows: the
        // server need not write, nor this process read, a hundred timestamps as text.
        let rows = try await pool.query(query.prepared().binaryResults())
        var employerIDs = Set<Int64>()
        var versionIDs = Set<Int64>()
        for row in rows {
            let keys = try FlagRowReader.labelKeys(row)
            employerIDs.insert(keys.employerID)
            if let version = keys.versionID { versionIDs.insert(version) }
        }
        let resolved = try await labels.resolve(employerIDs: employerIDs, versionIDs: versionIDs, from: pool)
        // One row more than asked says whether there is a next page without counting. Decided on the
        // rows, not the summaries: a flag whose employer was deleted meanwhile is left out of the page,
        // and must not end the paging.
        let shown = rows.prefix(limit)
        let next = try rows.count > limit ? FlagCursor(beforeID: FlagRowReader.id(shown.last!)).text : nil
        let flags = try shown.compactMap { try FlagRowReader.listed($0, labels: resolved) }
        return FlagPage(flags: flags, nextCursor: next)
    }

    /// How many flags match `filter` among the employers in `visible`, by severity and by state.
    public func counts(_ filter: Filter, visible: EmployerScope) async throws -> FlagCounts {
        guard let condition = filter.condition(visible: visible) else { return .zero }
        var query: PGQuery = "SELECT f.severity, f.state, count(*) AS n FROM flags f WHERE "
        query.append(condition)
        query.append(" GROUP BY f.severity, f.state")
        let rows = try await pool.query(query.prepared())
        var counts = FlagCounts.zero
        for row in rows {
            let count = try row.decode(Int.self, column: "n")
            counts.bySeverity[try row.decode(String.self, column: "severity"), default: 0] += count
            counts.byState[try row.decode(String.self, column: "state"), default: 0] += count
            counts.total += count
        }
        return counts
    }

    /// The employers in `visible` that have flags, by name: what the flag queue's employer filter offers —
    /// every employer whose flags a filter could find, however many employers the charter has.
    public func employersWithFlags(visible: EmployerScope) async throws -> [(id: Int64, name: String)] {
        guard let condition = Filter().condition(visible: visible) else { return [] }
        var query: PGQuery = "SELECT e.id, e.name FROM employers e WHERE EXISTS (SELECT 1 FROM flags f WHERE "
        query.append(condition)
        query.append(" AND f.employer_id = e.id) ORDER BY lower(e.name), e.id")
        return try await pool.query(query.prepared()).map {
            (try $0.decode(Int64.self, column: "id"), try $0.decode(String.self, column: "name"))
        }
    }

    /// One flag with its evidence as stored (the employer's view; call `forReps()` for a rep) and its
    /// history oldest first, or nil when there is no such flag.
    ///
    /// Not scoped: the caller decides from `employerID` whether the principal may see it.
    public func flag(id: Int64) async throws -> FlagDetail? {
        try await pool.withConnection { try await FlagRowReader.detail(id: id, on: $0) }
    }
}

import CharterDomain
import CharterStore
import Foundation
import PGClient

/// The latest version of a return with the pledge in force at its snapshot: what the rules judge,
/// read the same way by the nightly run and by a rule-change preview.
struct PendingReturn: Sendable {
    var returnID: Int64
    var employerID: Int64
    var period: ReportingPeriod
    var firstReceivedAt: Date
    var versionID: Int64
    var versionNumber: Int
    var header: ReturnHeader
    var warnings: [ReturnIssue]
    var charterVersionID: Int64
    var tier: Tier
    var livingHours: Bool
    var overrides: PledgeOverrides
    var overridesText: String
    /// Retention has deleted the version's worker lines: only figures kept with it can judge it.
    var linesPurged: Bool
    /// The return has an evaluation already (of an earlier version, when the nightly run finds it pending):
    /// recording a new judgement replaces that one instead of adding one.
    var judgedBefore: Bool
    /// The employer has flags for the period already (a return missing before, or judged before): the run
    /// reads them to bring them in line. Without any, what the rules find is all new.
    var flagged: Bool

    /// The returns matching `condition` (a fragment over `r`, the return, and `p`, the pledge).
    static func load(where condition: PGQuery, on connection: PGConnection) async throws -> [PendingReturn] {
        try await decode(try await rows(where: condition, on: connection))
    }

    /// The returns with these ids, in no particular order (`groupedByCriteria` puts them in order).
    static func load(ids: [Int64], on connection: PGConnection) async throws -> [PendingReturn] {
        try await decode(try await rows(ids: ids, on: connection))
    }

    /// The rows of the returns with these ids, undecoded (`decode(_:)`); none read for no ids.
    static func rows(ids: [Int64], on connection: PGConnection) async throws -> PGRows? {
        ids.isEmpty ? nil : try await rows(where: "r.id = ANY(\(ids))", on: connection)
    }

    /// The rows of the returns matching `condition`, undecoded: the nightly run reads the next batch's
    /// while it judges and writes this one, and decodes them on the cores the writes leave idle.
    ///
    /// The pledge in force is found by comparing dates (as `PledgeStore.inForce` does), not by a range's
    /// containment, which the planner can only answer from the GiST exclusion index, one probe a return:
    /// for a batch of 10,000 a hash join on the employer instead (psql, server time: 22 ms against 25).
    static func rows(where condition: PGQuery, on connection: PGConnection) async throws -> PGRows {
        try await connection.query(
            """
            SELECT r.id AS return_id, r.employer_id, r.period, r.first_received_at, v.id AS version_id, v.version_no,
                   CASE WHEN v.header_packed IS NULL THEN v.header::text END AS header, v.header_packed,
                   v.warnings::text AS warnings, p.charter_version_id, p.tier,
                   p.living_hours, p.overrides::text AS overrides, v.lines_purged_at IS NOT NULL AS lines_purged,
                   EXISTS (SELECT 1 FROM return_evaluations e WHERE e.return_id = r.id) AS judged_before,
                   EXISTS (SELECT 1 FROM flags f WHERE f.employer_id = r.employer_id AND f.period = r.period) AS flagged
            FROM returns r
            JOIN LATERAL (SELECT * FROM return_versions rv WHERE rv.return_id = r.id
                          ORDER BY rv.version_no DESC LIMIT 1) v ON true
            JOIN pledges p ON p.employer_id = r.employer_id AND p.valid_from <= period_snapshot(r.period)
                          AND (p.valid_to IS NULL OR period_snapshot(r.period) < p.valid_to)
            WHERE \(condition)
            """)
    }

    /// `rows` decoded on every core (decoding headers is most of a load).
    static func decode(_ rows: PGRows?) async throws -> [PendingReturn] {
        guard let rows else { return [] }
        let columns = try Columns(rows)
        return try await rows.concurrentMap { try PendingReturn($0, columns) }
    }

    /// Where each column of `rows(where:)` is: looked up once for a whole result, not by name for every
    /// value (17 columns are hashed by name; 40,000 returns' lookups were 7 % of a run's Swift time).
    struct Columns: Sendable {
        let returnID, employerID, period, firstReceivedAt, versionID, versionNumber, header, headerPacked: Int
        let warnings, charterVersionID, tier, livingHours, overrides, linesPurged, judgedBefore, flagged: Int

        init(_ rows: PGRows) throws {
            returnID = try rows.index(ofColumn: "return_id")
            employerID = try rows.index(ofColumn: "employer_id")
            period = try rows.index(ofColumn: "period")
            firstReceivedAt = try rows.index(ofColumn: "first_received_at")
            versionID = try rows.index(ofColumn: "version_id")
            versionNumber = try rows.index(ofColumn: "version_no")
            header = try rows.index(ofColumn: "header")
            headerPacked = try rows.index(ofColumn: "header_packed")
            warnings = try rows.index(ofColumn: "warnings")
            charterVersionID = try rows.index(ofColumn: "charter_version_id")
            tier = try rows.index(ofColumn: "tier")
            livingHours = try rows.index(ofColumn: "living_hours")
            overrides = try rows.index(ofColumn: "overrides")
            linesPurged = try rows.index(ofColumn: "lines_purged")
            judgedBefore = try rows.index(ofColumn: "judged_before")
            flagged = try rows.index(ofColumn: "flagged")
        }
    }

    init(_ row: PGRow, _ columns: Columns) throws {
        let periodText = try row.decode(String.self, at: columns.period)
        guard let period = ReportingPeriod(periodText),
            let tier = Tier(rawValue: try row.decode(String.self, at: columns.tier))
        else { throw CharterStoreError(.invalid, "return \(periodText) has an unreadable period or tier") }
        self.period = period
        self.tier = tier
        overridesText = try row.decode(String.self, at: columns.overrides)
        // Most pledges override nothing and most versions have no warnings: their JSON is not parsed.
        overrides = overridesText == "{}" ? PledgeOverrides() : try PledgeOverrides(json: Data(overridesText.utf8))
        returnID = try row.decode(Int64.self, at: columns.returnID)
        employerID = try row.decode(Int64.self, at: columns.employerID)
        firstReceivedAt = try row.decode(Date.self, at: columns.firstReceivedAt)
        versionID = try row.decode(Int64.self, at: columns.versionID)
        versionNumber = try row.decode(Int.self, at: columns.versionNumber)
        // The packed copy when the version has one (`ReturnHeader.packed`), else the JSON it was stored with.
        if let packed = try row.decode(PGBytes?.self, at: columns.headerPacked) {
            header = try ReturnHeader(packed: packed.bytes)
        } else {
            header = try JSONDecoder.charter.decode(
                ReturnHeader.self, from: Data(try row.decode(String.self, at: columns.header).utf8))
        }
        let warningsText = try row.decode(String.self, at: columns.warnings)
        warnings =
            warningsText == "[]"
            ? [] : try JSONDecoder.charter.decode([ReturnIssue].self, from: Data(warningsText.utf8))
        charterVersionID = try row.decode(Int64.self, at: columns.charterVersionID)
        livingHours = try row.decode(Bool.self, at: columns.livingHours)
        linesPurged = try row.decode(Bool.self, at: columns.linesPurged)
        judgedBefore = try row.decode(Bool.self, at: columns.judgedBefore)
        flagged = try row.decode(Bool.self, at: columns.flagged)
    }

    /// The returns grouped by the criteria they are judged by (period, charter version, overrides): periods
    /// oldest first, each group in return id order, whatever order the returns came in.
    static func groupedByCriteria(_ returns: [PendingReturn]) -> [[PendingReturn]] {
        let order = returns.indices.sorted { a, b in
            let (x, y) = (returns[a], returns[b])
            if x.period != y.period { return x.period < y.period }
            if x.charterVersionID != y.charterVersionID { return x.charterVersionID < y.charterVersionID }
            if x.overridesText != y.overridesText { return x.overridesText < y.overridesText }
            return x.returnID < y.returnID
        }
        var groups: [[PendingReturn]] = []
        for index in order {
            let item = returns[index]
            if let last = groups.last?.last, last.period == item.period,
                last.charterVersionID == item.charterVersionID, last.overridesText == item.overridesText
            {
                groups[groups.count - 1].append(item)
            } else {
                groups.append([item])
            }
        }
        return groups
    }
}

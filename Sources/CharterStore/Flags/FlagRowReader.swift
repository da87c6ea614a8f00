import CharterDomain
import Foundation
import PGClient

/// Reads flags and their events from rows: the one place that knows the columns `FlagStore` selects.
enum FlagRowReader {
    /// The columns `summary(_:employerName:standardTitle:)` reads, by position: keep the two in the same
    /// order. (By position because a page reads ten columns of fifty rows, and finding each by name
    /// showed in profiles.) No labels: a list takes them from `FlagLabels`, one flag from a join.
    private static let summaryColumns: PGQuery = """
        f.id, f.employer_id, f.charter_version_id, f.standard_id, f.period, f.subject, f.state, f.severity,
        f.opened_at, f.updated_at
        """

    /// Flags for a list; the caller adds WHERE, ORDER BY and LIMIT.
    static let listSelect: PGQuery = "SELECT \(summaryColumns) FROM flags f"

    /// The flag id of a `listSelect` row.
    static func id(_ row: PGRow) throws -> Int64 { try row.decode(Int64.self, at: 0) }

    /// The employer and charter version of a `listSelect` row, before its labels are known.
    static func labelKeys(_ row: PGRow) throws -> (employerID: Int64, versionID: Int64?) {
        (try row.decode(Int64.self, at: 1), try row.decode(Int64?.self, at: 2))
    }

    /// A summary from a `listSelect` row and its labels; nil when its employer has no name (deleted
    /// since the row was read, and with it the flag).
    static func listed(_ row: PGRow, labels: FlagLabels.Resolved) throws -> Flag? {
        let (employerID, versionID) = try labelKeys(row)
        guard let employerName = labels.names[employerID] else { return nil }
        return try summary(
            row, employerName: employerName,
            standardTitle: labels.title(version: versionID, standard: try row.decode(String.self, at: 3)))
    }

    /// The summary of a row that starts with `summaryColumns`.
    private static func summary(_ row: PGRow, employerName: String, standardTitle: String?) throws -> Flag {
        Flag(
            id: try id(row), employerID: try row.decode(Int64.self, at: 1), employerName: employerName,
            standardID: try row.decode(String.self, at: 3), standardTitle: standardTitle,
            period: try stored(row, 4) { ReportingPeriod($0) },
            subject: try row.decode(String.self, at: 5),
            state: try stored(row, 6, FlagState.init(rawValue:)),
            severity: try stored(row, 7, Severity.init(rawValue:)),
            openedAt: try row.decode(Date.self, at: 8),
            updatedAt: try row.decode(Date.self, at: 9))
    }

    /// One flag with its evidence, response and history, read on `connection` (inside a caller's
    /// transaction when it has just changed the flag).
    static func detail(id: Int64, on connection: PGConnection) async throws -> FlagDetail? {
        guard
            let row = try await connection.query(
                """
                SELECT \(summaryColumns), e.name AS employer_name, s.title AS standard_title,
                       f.evidence::text AS evidence, f.return_version_id, f.explanation, f.action_plan,
                       f.action_target_date::text AS action_target_date, f.opened_by, f.opened_event_id
                FROM flags f
                JOIN employers e ON e.id = f.employer_id
                LEFT JOIN standards s ON s.charter_version_id = f.charter_version_id AND s.standard_id = f.standard_id
                WHERE f.id = \(id)
                """
            ).first
        else { return nil }
        let summary = try summary(
            row, employerName: try row.decode(String.self, column: "employer_name"),
            standardTitle: try row.decode(String?.self, column: "standard_title"))
        let evidence: Evidence
        do {
            evidence = try Evidence(json: Data(try row.decode(String.self, column: "evidence").utf8))
        } catch {
            throw CharterStoreError(.invalid, "the stored evidence of flag \(id) cannot be read: \(error)")
        }
        var response: FlagResponse?
        if let explanation = try row.decode(String?.self, column: "explanation") {
            response = FlagResponse(
                explanation: explanation, actionPlan: try row.decode(String?.self, column: "action_plan"),
                targetDate: try row.decode(String?.self, column: "action_target_date").map { text in
                    guard let date = CalendarDate(iso: text) else {
                        throw CharterStoreError(.invalid, "flag \(id)'s stored target date \(text) is not a date")
                    }
                    return date
                })
        }
        // The opening is kept on the flag (migration 0028), first in the history (nothing happens to a flag
        // before it is opened; a change in the same transaction has the same time and a later id).
        var events: [FlagEvent] = []
        if let openedBy = try row.decode(String?.self, column: "opened_by"),
            let openingID = try row.decode(Int64?.self, column: "opened_event_id")
        {
            events.append(
                FlagEvent(
                    id: openingID, at: summary.openedAt, actor: openedBy, kind: .opened, fromState: nil,
                    toState: FlagTransitions.raised, note: nil))
        }
        events += try await connection.query(
            """
            SELECT id, at, actor, kind, from_state, to_state, note FROM flag_events
            WHERE flag_id = \(id) ORDER BY at, id
            """
        ).map(event)
        return FlagDetail(
            summary: summary, evidence: evidence,
            charterVersionID: try row.decode(Int64?.self, column: "charter_version_id"),
            returnVersionID: try row.decode(Int64?.self, column: "return_version_id"), response: response,
            events: events)
    }

    static func event(_ row: PGRow) throws -> FlagEvent {
        FlagEvent(
            id: try row.decode(Int64.self, column: "id"), at: try row.decode(Date.self, column: "at"),
            actor: try row.decode(String.self, column: "actor"),
            kind: try stored(row, "kind", FlagEvent.Kind.init(rawValue:)),
            fromState: try row.decode(String?.self, column: "from_state").map {
                try known($0, FlagState.init(rawValue:), column: "from_state")
            },
            toState: try row.decode(String?.self, column: "to_state").map {
                try known($0, FlagState.init(rawValue:), column: "to_state")
            },
            note: try row.decode(String?.self, column: "note"))
    }

    /// A text column read as a domain value; the table's CHECK constraints make a failure a broken
    /// database, said as such.
    private static func stored<Value>(_ row: PGRow, _ column: String, _ make: (String) -> Value?) throws -> Value {
        try known(try row.decode(String.self, column: column), make, column: column)
    }

    private static func stored<Value>(_ row: PGRow, _ position: Int, _ make: (String) -> Value?) throws -> Value {
        try known(try row.decode(String.self, at: position), make, column: row.columns[position].name)
    }

    private static func known<Value>(_ text: String, _ make: (String) -> Value?, column: String) throws -> Value {
        guard let value = make(text) else {
            throw CharterStoreError(
                .invalid, "a stored flag has \(column) \"\(text)\", which this version does not know")
        }
        return value
    }
}

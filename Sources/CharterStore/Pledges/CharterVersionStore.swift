public import CharterDomain
import Foundation
public import PGClient

/// Charter versions and their standards, read from the database.
public struct CharterVersionStore: Sendable {
    public let pool: PGPool

    public init(pool: PGPool) {
        self.pool = pool
    }

    /// Every standard of the published charter versions, by id, with the title of the newest version
    /// that has it: what a flag queue's standard filter offers.
    public func publishedStandardTitles() async throws -> [(id: String, title: String)] {
        try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT DISTINCT ON (s.standard_id) s.standard_id, s.title
                FROM standards s JOIN charter_versions v ON v.id = s.charter_version_id
                WHERE v.status = 'published'
                ORDER BY s.standard_id, v.effective_from DESC, v.id DESC
                """
            ).map { (try $0.decode(String.self, column: "standard_id"), try $0.decode(String.self, column: "title")) }
        }
    }

    /// The charter version in force for each of `employerIDs` (every employer when nil) in each of
    /// `periods`: the one named by the employer's pledge in force at the period's snapshot
    /// (`PledgeStore.inForce`). Employers with no pledge then are absent.
    ///
    /// The one place that decides which version applies to an employer and period; due dates, late
    /// returns and reminders all follow it.
    public static func versionsInForce(
        employerIDs: [Int64]?, periods: [ReportingPeriod], on connection: PGConnection
    ) async throws -> [(employerID: Int64, period: ReportingPeriod, charterVersionID: Int64)] {
        try await PledgeStore.inForce(employerIDs: employerIDs, periods: periods, on: connection).map {
            ($0.employerID, $0.period, $0.charterVersionID)
        }
    }

    /// The version in force for one employer in one period (`versionsInForce`); for an employer with no
    /// pledge then, the newest published version; nil when there is neither.
    public static func versionInForce(
        employerID: Int64, period: ReportingPeriod, on connection: PGConnection
    ) async throws -> CharterVersion? {
        let pledged = try await versionsInForce(employerIDs: [employerID], periods: [period], on: connection)
        let id: Int64?
        if let pledged = pledged.first {
            id = pledged.charterVersionID
        } else {
            id = try await connection.query(
                """
                SELECT id FROM charter_versions WHERE status = 'published'
                ORDER BY effective_from DESC, id DESC LIMIT 1
                """
            ).first?.decode(Int64.self, column: "id")
        }
        guard let id else { return nil }
        return try await version(id: id, on: connection)
    }

    /// A version by id, with its standards; nil when there is none.
    public func version(id: Int64) async throws -> CharterVersion? {
        try await pool.withConnection { try await Self.version(id: id, on: $0) }
    }

    /// The same, on a connection the caller holds (inside its transaction).
    public static func version(id: Int64, on connection: PGConnection) async throws -> CharterVersion? {
        guard
            let row = try await connection.query(
                """
                SELECT id, label, effective_from::text AS effective_from, status,
                       COALESCE((params->>'return_due_days')::int, \(CharterVersion.defaultReturnDueDays)) AS due_days,
                       COALESCE((params->>'shift_notice_days')::int, 28) AS notice_days
                FROM charter_versions WHERE id = \(id)
                """
            ).first
        else { return nil }
        let from = try row.decode(String.self, column: "effective_from")
        guard let effectiveFrom = CalendarDate(iso: from) else {
            throw CharterStoreError(.invalid, "charter version \(id) has no valid start date")
        }
        var standards: [Standard] = []
        for standard in try await connection.query(
            """
            SELECT standard_id, pillar, title, params::text AS params, severity_aspiring, severity_accredited
            FROM standards WHERE charter_version_id = \(id) ORDER BY standard_id
            """)
        {
            let standardID = try standard.decode(String.self, column: "standard_id")
            guard let pillar = Pillar(rawValue: try standard.decode(String.self, column: "pillar")),
                let aspiring = Severity(rawValue: try standard.decode(String.self, column: "severity_aspiring")),
                let accredited = Severity(rawValue: try standard.decode(String.self, column: "severity_accredited"))
            else {
                throw CharterStoreError(
                    .invalid, "standard \(standardID) of version \(id) has an unknown pillar or severity")
            }
            standards.append(
                Standard(
                    id: standardID, pillar: pillar, title: try standard.decode(String.self, column: "title"),
                    defaults: try StandardDefaults(json: Data(try standard.decode(String.self, column: "params").utf8)),
                    severityAspiring: aspiring, severityAccredited: accredited))
        }
        return CharterVersion(
            id: try row.decode(Int64.self, column: "id"), label: try row.decode(String.self, column: "label"),
            effectiveFrom: effectiveFrom, returnDueDays: try row.decode(Int.self, column: "due_days"),
            shiftNoticeDays: try row.decode(Int.self, column: "notice_days"),
            isDraft: try row.decode(String.self, column: "status") == "draft", standards: standards)
    }
}

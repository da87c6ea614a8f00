public import CharterDomain
import Foundation
public import PGClient

/// What a charter version (typically a draft) would change if returns were judged by it.
public struct RulesPreviewReport: Sendable, Hashable, Codable {
    public var charterVersion: String
    public var periods: [String]
    public var returnsJudged: Int
    /// Flags it would raise that are not raised now.
    public var added: [FlagChange]
    /// Flags raised now that it would not raise.
    public var cleared: [FlagChange]
    public var errors: [String]

    enum CodingKeys: String, CodingKey {
        case charterVersion = "charter_version"
        case periods
        case returnsJudged = "returns_judged"
        case added, cleared, errors
    }
}

/// Judges the latest returns of recent periods by another charter version and compares the result
/// with the flags raised now, writing nothing (SPEC §6 "rule-change preview").
public struct RulesPreview: Sendable {
    public let pool: PGPool

    public init(pool: PGPool) {
        self.pool = pool
    }

    /// Previews `label` over the `periodCount` quarters before the one containing `asOf`.
    public func preview(label: String, asOf: CalendarDate, periodCount: Int = 4) async throws -> RulesPreviewReport {
        let rates = try await RateStore(pool: pool).table()
        return try await pool.withConnection { connection in
            guard
                let id = try await connection.query("SELECT id FROM charter_versions WHERE label = \(label)").first?
                    .decode(Int64.self, column: "id"),
                let version = try await CharterVersionStore.version(id: id, on: connection)
            else { throw CharterStoreError(.notFound, "there is no charter version \"\(label)\"") }
            let holidays = BankHolidays(
                try await connection.query("SELECT date::text AS d FROM bank_holidays").compactMap {
                    CalendarDate(iso: try $0.decode(String.self, column: "d"))
                })
            var periods: [ReportingPeriod] = []
            var cursor = ReportingPeriod(containing: asOf).previous
            for _ in 0..<max(periodCount, 1) {
                periods.append(cursor)
                cursor = cursor.previous
            }
            var report = RulesPreviewReport(
                charterVersion: label, periods: periods.reversed().map(\.description), returnsJudged: 0, added: [],
                cleared: [], errors: [])
            for period in periods.reversed() {
                try await preview(
                    period: period, version: version, rates: rates, holidays: holidays, report: &report,
                    on: connection)
            }
            return report
        }
    }

    private func preview(
        period: ReportingPeriod, version: CharterVersion, rates: RateTable, holidays: BankHolidays,
        report: inout RulesPreviewReport, on connection: PGConnection
    ) async throws {
        let rows = try await connection.query(
            """
            SELECT r.employer_id, r.first_received_at, v.id AS version_id, v.version_no, v.header::text AS header,
                   v.warnings::text AS warnings, p.tier, p.living_hours, p.overrides::text AS overrides
            FROM returns r
            JOIN LATERAL (SELECT * FROM return_versions rv WHERE rv.return_id = r.id
                          ORDER BY rv.version_no DESC LIMIT 1) v ON true
            JOIN pledges p ON p.employer_id = r.employer_id
                          AND daterange(p.valid_from, p.valid_to, '[)') @> period_snapshot(r.period)
            WHERE r.period = \(period.description)
            ORDER BY p.overrides::text, r.employer_id
            """)
        // Group by overrides: they decide the criteria the figures are computed with.
        var groups: [String: [PGRow]] = [:]
        for row in rows { groups[try row.decode(String.self, column: "overrides"), default: []].append(row) }
        let lateAfter = period.lateAfter(returnDueDays: version.returnDueDays, holidays: holidays)
        for (overridesText, group) in groups {
            let overrides = try PledgeOverrides(json: Data(overridesText.utf8))
            let parameters = EvaluationInput.effectiveParameters(of: version, overrides: overrides)
            let criteria: ReturnFigures.Criteria
            do {
                criteria = try ReturnFigures.Criteria(snapshot: period.snapshot, parameters: parameters, rates: rates)
            } catch {
                report.errors.append("\(period): \(error.message)")
                continue
            }
            let versionIDs = try group.map { try $0.decode(Int64.self, column: "version_id") }
            let figures = try await ReturnFiguresQuery.figures(for: versionIDs, criteria: criteria, on: connection)
            let employers = try group.map { try $0.decode(Int64.self, column: "employer_id") }
            var current: [Int64: Set<String>] = [:]
            for flag in try await connection.query(
                """
                SELECT employer_id, standard_id, subject, severity FROM flags
                WHERE employer_id = ANY(\(employers)) AND period = \(period.description)
                  AND state IN ('open', 'acknowledged', 'disputed', 'waived') AND standard_id <> 'gov.return-missing'
                """)
            {
                current[try flag.decode(Int64.self, column: "employer_id"), default: []].insert(
                    try flag.decode(String.self, column: "standard_id") + "\u{1F}"
                        + flag.decode(String.self, column: "subject") + "\u{1F}"
                        + flag.decode(String.self, column: "severity"))
            }
            for row in group {
                let employer = try row.decode(Int64.self, column: "employer_id")
                let versionID = try row.decode(Int64.self, column: "version_id")
                guard let tier = Tier(rawValue: try row.decode(String.self, column: "tier")) else { continue }
                let input = EvaluationInput(
                    employerID: employer, period: period, charterVersion: version, tier: tier,
                    livingHours: try row.decode(Bool.self, column: "living_hours"), overrides: overrides,
                    returnVersionID: versionID, returnVersionNumber: try row.decode(Int.self, column: "version_no"),
                    header: try JSONDecoder.snakeCase.decode(
                        ReturnHeader.self, from: Data(try row.decode(String.self, column: "header").utf8)),
                    figures: figures[versionID] ?? ReturnFigures(), rates: rates,
                    dataQualityWarnings: try JSONDecoder.charter.decode(
                        [ReturnIssue].self, from: Data(try row.decode(String.self, column: "warnings").utf8)),
                    firstReceivedAt: try row.decode(Date.self, column: "first_received_at"), lateAfter: lateAfter)
                let findings: [Finding]
                do {
                    findings = try ComplianceRules.evaluate(input)
                } catch {
                    report.errors.append("employer \(employer) \(period): \(error.message)")
                    continue
                }
                report.returnsJudged += 1
                let now = current[employer] ?? []
                let wouldBe = Set(
                    findings.map { $0.standardID + "\u{1F}" + $0.subject + "\u{1F}" + $0.severity.rawValue })
                func change(_ kind: FlagChange.Kind, _ key: String) -> FlagChange {
                    let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
                    return FlagChange(
                        kind: kind, employerID: employer, period: period.description, standardID: parts[0],
                        subject: parts[1], severity: parts[2])
                }
                report.added += wouldBe.subtracting(now).sorted().map { change(.opened, $0) }
                report.cleared += now.subtracting(wouldBe).sorted().map { change(.cleared, $0) }
            }
        }
    }
}

public import CharterDomain
import CharterStore
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
            let holidays = try await BankHolidays.load(on: connection)
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
        // Judged exactly as a night would (same figures, history and rules), only by `version`.
        let returns = try await PendingReturn.load(where: "r.period = \(period.description)", on: connection)
        var byOverrides: [String: [PendingReturn]] = [:]
        for item in returns { byOverrides[item.overridesText, default: []].append(item) }
        for group in byOverrides.values {
            var current: [Int64: Set<String>] = [:]
            for flag in try await connection.query(
                """
                SELECT employer_id, standard_id, subject, severity FROM flags
                WHERE employer_id = ANY(\(group.map(\.employerID))) AND period = \(period.description)
                  AND state IN ('open', 'acknowledged', 'disputed', 'waived') AND standard_id <> 'gov.return-missing'
                """)
            {
                current[try flag.decode(Int64.self, column: "employer_id"), default: []].insert(
                    try flag.decode(String.self, column: "standard_id") + "\u{1F}"
                        + flag.decode(String.self, column: "subject") + "\u{1F}"
                        + flag.decode(String.self, column: "severity"))
            }
            for verdict in try await ReturnJudge.judge(
                group, by: version, rates: rates, holidays: holidays, on: connection)
            {
                let employer = verdict.item.employerID
                let findings: [Finding]
                switch verdict.outcome {
                case .failure(let failure):
                    report.errors.append("employer \(employer) \(period): \(failure.message)")
                    continue
                case .success(let found):
                    findings = found
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

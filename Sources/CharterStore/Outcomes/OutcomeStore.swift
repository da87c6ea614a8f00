public import CharterDomain
import Foundation
public import PGClient

/// The outcome figures kept per return version (SPEC §11, `outcome_figures`): written by `ReturnStore`
/// in the transaction that stores a version, read back one row per counted return.
public struct OutcomeStore: Sendable {
    public let pool: PGPool

    public init(pool: PGPool) {
        self.pool = pool
    }

    /// Keeps a version's figures, with `below_rlw` against the Real Living Wage in force at the snapshot.
    static func insert(
        _ figures: OutcomeFigures, versionID: Int64, period: ReportingPeriod, on connection: PGConnection
    ) async throws {
        let snapshot = period.snapshot.description
        try await connection.execute(
            """
            INSERT INTO outcome_figures (return_version_id, snapshot, headcount, lines, direct_lines, direct_zero_hours,
                                         insecure_lines, direct_low_hours, recognition_agreement, rlw_in_scope,
                                         rlw_rates_uk, rlw_rates_london, below_rlw, male_rates, female_rates)
            VALUES (\(versionID), \(snapshot)::date, \(figures.headcount), \(figures.lines), \(figures.directLines),
                    \(figures.directZeroHours), \(figures.insecureLines), \(figures.directLowHours),
                    \(figures.recognitionAgreement), \(figures.rlwInScope), \(figures.rlwRatesUK),
                    \(figures.rlwRatesLondon),
                    outcome_below_rlw(\(figures.rlwRatesUK), \(figures.rlwRatesLondon), \(snapshot)::date),
                    \(figures.maleRates), \(figures.femaleRates))
            """)
    }

    /// Works every kept `below_rlw` out again against the rate table as it now is, in the caller's
    /// transaction (the one that changed a rate); returns how many moved.
    static func refreshBelowRealLivingWage(on connection: PGConnection) async throws -> Int {
        try await connection.query("SELECT refresh_outcome_below_rlw() AS moved")[0].decode(Int.self, column: "moved")
    }

    /// One version's kept figures and its `below_rlw`; nil when it has none.
    public func figures(versionID: Int64) async throws -> (figures: OutcomeFigures, belowRLW: Int?)? {
        try await pool.withConnection { connection in
            guard
                let row = try await connection.query(
                    """
                    SELECT headcount, lines, direct_lines, direct_zero_hours, insecure_lines, direct_low_hours,
                           recognition_agreement, rlw_rates_uk, rlw_rates_london, below_rlw, male_rates, female_rates
                    FROM outcome_figures WHERE return_version_id = \(versionID)
                    """
                ).first
            else { return nil }
            let figures = OutcomeFigures(
                headcount: try row.decode(Int.self, column: "headcount"),
                lines: try row.decode(Int.self, column: "lines"),
                directLines: try row.decode(Int.self, column: "direct_lines"),
                directZeroHours: try row.decode(Int.self, column: "direct_zero_hours"),
                insecureLines: try row.decode(Int.self, column: "insecure_lines"),
                directLowHours: try row.decode(Int.self, column: "direct_low_hours"),
                recognitionAgreement: try row.decode(Bool?.self, column: "recognition_agreement"),
                rlwRatesUK: try row.decode([Int32].self, column: "rlw_rates_uk"),
                rlwRatesLondon: try row.decode([Int32].self, column: "rlw_rates_london"),
                maleRates: try row.decode([Int32].self, column: "male_rates"),
                femaleRates: try row.decode([Int32].self, column: "female_rates"))
            return (figures, try row.decode(Int?.self, column: "below_rlw"))
        }
    }

    /// The returns counted in each of `periods`: for each employer with a return for the period, the
    /// figures of its latest version (an employer whose latest version has no figures kept — its lines
    /// deleted before figures were kept — is left out rather than counted at an older version), with the
    /// employer's sector and the tier of its pledge in force at the snapshot. `employerIDs` narrows it
    /// to those employers (a rep's).
    public func returns(
        periods: [ReportingPeriod], employerIDs: [Int64]? = nil
    ) async throws -> [ReportingPeriod: [OutcomeReturn]] {
        let names = periods.map(\.description)
        let narrowed = employerIDs != nil
        let ids = employerIDs ?? []
        return try await pool.withConnection { connection in
            let rows = try await connection.query(
                """
                SELECT r.employer_id, r.period, v.version_no, e.sector, p.tier, o.headcount, o.lines, o.direct_lines,
                       o.direct_zero_hours, o.insecure_lines, o.direct_low_hours, o.recognition_agreement,
                       -- No Real Living Wage in force at a return's snapshot: its lines are not judged
                       -- against one, so they count in neither side of the share (never as 0 below it).
                       CASE WHEN o.below_rlw IS NULL THEN 0 ELSE o.rlw_in_scope END AS rlw_in_scope,
                       coalesce(o.below_rlw, 0) AS below_rlw, o.male_rates, o.female_rates
                FROM returns r
                CROSS JOIN LATERAL (SELECT id, version_no FROM return_versions
                                    WHERE return_id = r.id ORDER BY version_no DESC LIMIT 1) v
                JOIN outcome_figures o ON o.return_version_id = v.id
                JOIN employers e ON e.id = r.employer_id
                LEFT JOIN pledges p ON p.employer_id = r.employer_id
                                   AND daterange(p.valid_from, p.valid_to, '[)') @> o.snapshot
                WHERE r.period = ANY(\(names)::text[])
                  AND (NOT \(narrowed) OR r.employer_id = ANY(\(ids)::bigint[]))
                """)
            var result: [ReportingPeriod: [OutcomeReturn]] = [:]
            for period in periods { result[period] = [] }
            for row in rows {
                let periodText = try row.decode(String.self, column: "period")
                guard let period = ReportingPeriod(periodText) else {
                    throw CharterStoreError(.invalid, "stored period \(periodText) is not a quarter")
                }
                let sectorText = try row.decode(String.self, column: "sector")
                guard let sector = Sector(rawValue: sectorText) else {
                    throw CharterStoreError(.invalid, "stored sector \(sectorText) is not one of SPEC §2's")
                }
                let tier = try row.decode(String?.self, column: "tier").flatMap(Tier.init(rawValue:))
                result[period, default: []].append(
                    OutcomeReturn(
                        employerID: try row.decode(Int64.self, column: "employer_id"),
                        version: try row.decode(Int.self, column: "version_no"), sector: sector, tier: tier,
                        headcount: try row.decode(Int.self, column: "headcount"),
                        lines: try row.decode(Int.self, column: "lines"),
                        directLines: try row.decode(Int.self, column: "direct_lines"),
                        directZeroHours: try row.decode(Int.self, column: "direct_zero_hours"),
                        insecureLines: try row.decode(Int.self, column: "insecure_lines"),
                        directLowHours: try row.decode(Int.self, column: "direct_low_hours"),
                        recognitionAgreement: try row.decode(Bool?.self, column: "recognition_agreement"),
                        rlwInScope: try row.decode(Int.self, column: "rlw_in_scope"),
                        belowRLW: try row.decode(Int.self, column: "below_rlw"),
                        maleRates: try row.decode([Int32].self, column: "male_rates"),
                        femaleRates: try row.decode([Int32].self, column: "female_rates")))
            }
            return result
        }
    }

    /// The latest period with a return whose figures are kept (of `employerID` when given); nil when none.
    public func latestPeriod(employerID: Int64? = nil) async throws -> ReportingPeriod? {
        try await pool.withConnection { connection in
            let text = try await connection.query(
                """
                SELECT max(r.period) AS period FROM returns r
                WHERE (\(employerID)::bigint IS NULL OR r.employer_id = \(employerID)::bigint)
                  AND EXISTS (SELECT 1 FROM return_versions v JOIN outcome_figures o ON o.return_version_id = v.id
                              WHERE v.return_id = r.id)
                """
            ).first?.decode(String?.self, column: "period")
            return text.flatMap { ReportingPeriod($0) }
        }
    }
}

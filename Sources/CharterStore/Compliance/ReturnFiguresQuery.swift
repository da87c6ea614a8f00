import CharterDomain
import Foundation
import PGClient

/// Computes `ReturnFigures` for a batch of return versions in one grouped pass over their worker
/// lines: the set-based half of the nightly run (the rules are the pure half).
///
/// Every version in a batch is judged by the same `Criteria` (same snapshot, rates and effective
/// parameters); the caller groups versions that way. The population and condition of each figure
/// are those documented on `ReturnFigures`.
enum ReturnFiguresQuery {
    /// A worker group: its filter, for pay groups the rate it falls short of, and where it goes.
    private struct Group: Sendable {
        var condition: String
        var rate: String?
        var add: @Sendable (inout ReturnFigures, WorkerGroup) -> Void

        init(
            _ field: any WritableKeyPath<ReturnFigures, WorkerGroup> & Sendable, condition: String, rate: String? = nil
        ) {
            self.condition = condition
            self.rate = rate
            add = { figures, part in figures[keyPath: field] = figures[keyPath: field].merged(with: part) }
        }

        /// The upcoming Real Living Wage group, which exists only while a new rate is announced.
        init(upcomingCondition: String) {
            condition = upcomingCondition
            rate = "up"
            add = { figures, part in
                figures.belowUpcomingRealLivingWage = (figures.belowUpcomingRealLivingWage ?? .none).merged(with: part)
            }
        }
    }

    private static let groups: [Group] = [
        Group(\.belowMinimumWage, condition: "direct AND paid < nmw", rate: "nmw"),
        Group(
            \.belowRealLivingWage,
            condition: "direct AND age_band <> 'under_18' AND NOT (contract_type = ANY(excluded)) AND paid < rlw",
            rate: "rlw"),
        Group(
            upcomingCondition:
                "direct AND age_band <> 'under_18' AND NOT (contract_type = ANY(excluded)) AND paid < up"),
        Group(
            \.zeroHoursWithoutConsent,
            condition: "direct AND contract_type = 'zero_hours' AND NOT coalesce(zhc_by_request, false)"),
        Group(
            \.belowLivingHours,
            condition:
                "direct AND contracted_hours < lh_min AND NOT coalesce(fewer_hours_by_request, false)"
                + " AND NOT coalesce(zhc_by_request, false)"),
        Group(
            \.hoursNotReflected,
            condition:
                "direct AND start_date <= reflect_start AND avg_actual_hours_12w IS NOT NULL"
                + " AND avg_actual_hours_12w - contracted_hours >= reflect_margin"
                + " AND (guaranteed_hours_offered IS NULL OR guaranteed_hours_offered < offer_start"
                + " OR guaranteed_hours_offered > snapshot)"),
        Group(
            \.reviewOverdue,
            condition:
                "direct AND (contract_type = 'zero_hours' OR contracted_hours < review_low)"
                + " AND ((last_hours_review IS NULL AND start_date < first_review_before)"
                + " OR last_hours_review < review_before)"),
        Group(
            \.agencyWithoutParity,
            condition: "employment_type = 'agency' AND start_date < agency_before AND agency_parity = false"),
    ]

    static func figures(
        for versionIDs: [Int64], criteria: ReturnFigures.Criteria, on connection: PGConnection
    ) async throws -> [Int64: ReturnFigures] {
        guard !versionIDs.isEmpty else { return [:] }
        let c = criteria
        let rates = c.minimumWage
        let upcoming = c.upcomingRealLivingWage
        // Each line's groups as a bit mask. The lines are grouped by (return version, mask), so the
        // conditions are worked out once per line (a grouping key is computed below the aggregate,
        // in PostgreSQL's parallel workers), and the parts of a return are merged here: a part's
        // lines all fall in the same groups, so its count, lowest rate, shortfalls and first
        // references are those of each of its groups.
        let mask = groups.enumerated().map { bit, group in
            "CASE WHEN \(group.condition) THEN \(1 << bit) ELSE 0 END"
        }
        let rows = try await connection.query(
            """
            WITH p AS (
                SELECT \(rates[.twentyOnePlus] ?? 0)::numeric AS nmw_adult, \(rates[.eighteenToTwenty] ?? 0)::numeric AS nmw_18_20,
                       \(rates[.under18] ?? 0)::numeric AS nmw_under_18, \(rates[.apprentice] ?? 0)::numeric AS nmw_apprentice,
                       \(c.realLivingWage.uk)::numeric AS rlw_uk, \(c.realLivingWage.london)::numeric AS rlw_london,
                       \(upcoming?.uk)::numeric AS up_uk, \(upcoming?.london)::numeric AS up_london,
                       \(c.excludedContractTypes)::text[] AS excluded, \(c.livingHoursMinimum)::numeric AS lh_min,
                       \(c.reflectMarginHours)::numeric AS reflect_margin,
                       \(c.reflectStartedOnOrBefore.description)::date AS reflect_start,
                       \(c.offerWindowStart.description)::date AS offer_start, \(c.snapshot.description)::date AS snapshot,
                       \(c.reviewLowHoursThreshold)::numeric AS review_low,
                       \(c.firstReviewDueIfStartedBefore.description)::date AS first_review_before,
                       \(c.reviewOverdueIfLastBefore.description)::date AS review_before,
                       \(c.agencyParityIfStartedBefore.description)::date AS agency_before
            ), l AS (
                SELECT w.*, p.*, w.employment_type = 'direct' AS direct,
                       least(w.hourly_rate, w.overtime_rate) AS paid,
                       CASE WHEN w.contract_type = 'apprentice'
                                 AND (w.age_band IN ('under_18', '18') OR coalesce(w.apprentice_first_year, false))
                                THEN p.nmw_apprentice
                            WHEN w.age_band = 'under_18' THEN p.nmw_under_18
                            WHEN w.age_band IN ('18', '19_20') THEN p.nmw_18_20
                            ELSE p.nmw_adult END AS nmw,
                       CASE WHEN w.workplace_london THEN p.rlw_london ELSE p.rlw_uk END AS rlw,
                       CASE WHEN w.workplace_london THEN p.up_london ELSE p.up_uk END AS up
                FROM worker_lines w CROSS JOIN p
                WHERE w.return_version_id = ANY(\(versionIDs))
            ), m AS (
                SELECT l.*, \(PGQuery(unsafeSQL: mask.joined(separator: "\n | "))) AS h FROM l
            )
            SELECT return_version_id, h,
                   count(*) AS lines,
                   count(*) FILTER (WHERE direct) AS direct_workers,
                   count(*) FILTER (WHERE direct AND contract_type = 'zero_hours') AS direct_zero_hours,
                   coalesce(sum(shifts_scheduled), 0) AS shifts_scheduled,
                   coalesce(sum(shifts_short_notice), 0) AS shifts_short_notice,
                   coalesce(sum(shifts_cancelled_short_notice), 0) AS shifts_cancelled_short_notice,
                   coalesce(sum(shifts_cancelled_paid), 0) AS shifts_cancelled_paid,
                   min(paid) FILTER (WHERE h <> 0) AS lowest,
                   max(nmw - paid) FILTER (WHERE h <> 0) AS nmw_shortfall,
                   max(rlw - paid) FILTER (WHERE h <> 0) AS rlw_shortfall,
                   max(up - paid) FILTER (WHERE h <> 0) AS up_shortfall,
                   (array_agg(worker_ref ORDER BY worker_ref COLLATE "C") FILTER (WHERE h <> 0))[1:100] AS refs
            FROM m GROUP BY return_version_id, h
            """)
        var result: [Int64: ReturnFigures] = [:]
        let empty = ReturnFigures(belowUpcomingRealLivingWage: upcoming == nil ? nil : WorkerGroup.none)
        for row in rows {
            let id = try row.decode(Int64.self, column: "return_version_id")
            let h = try row.decode(Int.self, column: "h")
            var figures = result[id] ?? empty
            figures.directWorkers += try row.decode(Int.self, column: "direct_workers")
            figures.directZeroHours += try row.decode(Int.self, column: "direct_zero_hours")
            figures.shiftsScheduled += try row.decode(Int.self, column: "shifts_scheduled")
            figures.shiftsShortNotice += try row.decode(Int.self, column: "shifts_short_notice")
            figures.shiftsCancelledShortNotice += try row.decode(Int.self, column: "shifts_cancelled_short_notice")
            figures.shiftsCancelledPaid += try row.decode(Int.self, column: "shifts_cancelled_paid")
            if h != 0 {
                let count = try row.decode(Int.self, column: "lines")
                let refs = try row.decode([String]?.self, column: "refs") ?? []
                let lowest = try row.decode(Decimal?.self, column: "lowest")
                func part(shortfall: String?) throws -> WorkerGroup {
                    WorkerGroup(
                        count: count, workerRefs: refs, lowestRate: shortfall == nil ? nil : lowest,
                        largestShortfall: try shortfall.flatMap { try row.decode(Decimal?.self, column: $0) })
                }
                for (bit, group) in groups.enumerated() where h & (1 << bit) != 0 {
                    group.add(&figures, try part(shortfall: group.rate.map { "\($0)_shortfall" }))
                }
            }
            result[id] = figures
        }
        // A version with no worker lines has no row: all its figures are zero.
        for id in versionIDs where result[id] == nil {
            result[id] = empty
        }
        return result
    }
}

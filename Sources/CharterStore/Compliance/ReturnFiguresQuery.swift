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
    /// A worker group: its filter, and for pay groups the rate it falls short of.
    private struct Group {
        var name: String
        var condition: String
        var rate: String?
    }

    private static let groups: [Group] = [
        Group(name: "nmw", condition: "direct AND paid < nmw", rate: "nmw"),
        Group(
            name: "rlw",
            condition: "direct AND age_band <> 'under_18' AND NOT (contract_type = ANY(excluded)) AND paid < rlw",
            rate: "rlw"),
        Group(
            name: "up",
            condition: "direct AND age_band <> 'under_18' AND NOT (contract_type = ANY(excluded)) AND paid < up",
            rate: "up"),
        Group(
            name: "zhc", condition: "direct AND contract_type = 'zero_hours' AND NOT coalesce(zhc_by_request, false)"),
        Group(
            name: "lh",
            condition:
                "direct AND contracted_hours < lh_min AND NOT coalesce(fewer_hours_by_request, false)"
                + " AND NOT coalesce(zhc_by_request, false)"),
        Group(
            name: "reflect",
            condition:
                "direct AND start_date <= reflect_start AND avg_actual_hours_12w IS NOT NULL"
                + " AND avg_actual_hours_12w - contracted_hours >= reflect_margin"
                + " AND (guaranteed_hours_offered IS NULL OR guaranteed_hours_offered < offer_start"
                + " OR guaranteed_hours_offered > snapshot)"),
        Group(
            name: "review",
            condition:
                "direct AND (contract_type = 'zero_hours' OR contracted_hours < review_low)"
                + " AND ((last_hours_review IS NULL AND start_date < first_review_before)"
                + " OR last_hours_review < review_before)"),
        Group(
            name: "agency",
            condition: "employment_type = 'agency' AND start_date < agency_before AND agency_parity = false"),
    ]

    static func figures(
        for versionIDs: [Int64], criteria: ReturnFigures.Criteria, on connection: PGConnection
    ) async throws -> [Int64: ReturnFigures] {
        guard !versionIDs.isEmpty else { return [:] }
        let c = criteria
        let rates = c.minimumWage
        let upcoming = c.upcomingRealLivingWage
        var selectList = ""
        for group in groups {
            let g = group.name
            selectList += ",\n count(*) FILTER (WHERE \(group.condition)) AS \(g)_count"
            selectList +=
                ",\n (array_agg(worker_ref ORDER BY worker_ref COLLATE \"C\") FILTER (WHERE \(group.condition)))[1:100] AS \(g)_refs"
            if let rate = group.rate {
                selectList += ",\n min(paid) FILTER (WHERE \(group.condition)) AS \(g)_lowest"
                selectList += ",\n max(\(rate) - paid) FILTER (WHERE \(group.condition)) AS \(g)_shortfall"
            }
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
            )
            SELECT return_version_id,
                   count(*) FILTER (WHERE direct) AS direct_workers,
                   count(*) FILTER (WHERE direct AND contract_type = 'zero_hours') AS direct_zero_hours,
                   coalesce(sum(shifts_scheduled), 0) AS shifts_scheduled,
                   coalesce(sum(shifts_short_notice), 0) AS shifts_short_notice,
                   coalesce(sum(shifts_cancelled_short_notice), 0) AS shifts_cancelled_short_notice,
                   coalesce(sum(shifts_cancelled_paid), 0) AS shifts_cancelled_paid\(PGQuery(unsafeSQL: selectList))
            FROM l GROUP BY return_version_id
            """)
        var result: [Int64: ReturnFigures] = [:]
        for row in rows {
            func group(_ name: String, pay: Bool) throws -> WorkerGroup {
                WorkerGroup(
                    count: try row.decode(Int.self, column: "\(name)_count"),
                    workerRefs: try row.decode([String]?.self, column: "\(name)_refs") ?? [],
                    lowestRate: pay ? try row.decode(Decimal?.self, column: "\(name)_lowest") : nil,
                    largestShortfall: pay ? try row.decode(Decimal?.self, column: "\(name)_shortfall") : nil)
            }
            result[try row.decode(Int64.self, column: "return_version_id")] = ReturnFigures(
                directWorkers: try row.decode(Int.self, column: "direct_workers"),
                directZeroHours: try row.decode(Int.self, column: "direct_zero_hours"),
                belowMinimumWage: try group("nmw", pay: true), belowRealLivingWage: try group("rlw", pay: true),
                belowUpcomingRealLivingWage: upcoming == nil ? nil : try group("up", pay: true),
                zeroHoursWithoutConsent: try group("zhc", pay: false), belowLivingHours: try group("lh", pay: false),
                hoursNotReflected: try group("reflect", pay: false), reviewOverdue: try group("review", pay: false),
                agencyWithoutParity: try group("agency", pay: false),
                shiftsScheduled: try row.decode(Int.self, column: "shifts_scheduled"),
                shiftsShortNotice: try row.decode(Int.self, column: "shifts_short_notice"),
                shiftsCancelledShortNotice: try row.decode(Int.self, column: "shifts_cancelled_short_notice"),
                shiftsCancelledPaid: try row.decode(Int.self, column: "shifts_cancelled_paid"))
        }
        // A version with no worker lines has no row: all its figures are zero.
        for id in versionIDs where result[id] == nil {
            result[id] = ReturnFigures(belowUpcomingRealLivingWage: upcoming == nil ? nil : WorkerGroup.none)
        }
        return result
    }
}

import CharterDomain
import CharterStore
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

    // Each condition is what SPEC §4 says, arranged so that a line is cheap to rule out: the line's
    // employment type is tested once (the first seven groups are of direct workers, the last of agency
    // workers), and the three pay groups are tested only for a line paid below `top_rate`, the highest
    // rate any worker could be owed (worked out once per statement; `greatest` ignores the upcoming rate
    // when none is announced). Every term compares exactly as the
    // plain conditions would (`a - b >= m` is `a >= b + m` in exact numeric arithmetic), so a line's
    // groups are the same; what the arrangement saves is the work of testing a clean line.
    private static let groups: [Group] = [
        Group(\.belowMinimumWage, condition: "paid < nmw", rate: "nmw"),
        Group(
            \.belowRealLivingWage,
            condition: "age_band <> 'under_18' AND NOT (contract_type = ANY(excluded)) AND paid < rlw",
            rate: "rlw"),
        Group(upcomingCondition: "age_band <> 'under_18' AND NOT (contract_type = ANY(excluded)) AND paid < up"),
        Group(
            \.zeroHoursWithoutConsent, condition: "contract_type = 'zero_hours' AND NOT coalesce(zhc_by_request, false)"
        ),
        Group(
            \.belowLivingHours,
            condition:
                "contracted_hours < lh_min AND NOT coalesce(fewer_hours_by_request, false)"
                + " AND NOT coalesce(zhc_by_request, false)"),
        Group(
            \.hoursNotReflected,
            condition:
                "avg_actual_hours_12w >= contracted_hours + reflect_margin AND start_date <= reflect_start"
                + " AND (guaranteed_hours_offered IS NULL OR guaranteed_hours_offered < offer_start"
                + " OR guaranteed_hours_offered > snapshot)"),
        Group(
            \.reviewOverdue,
            condition:
                "(contract_type = 'zero_hours' OR contracted_hours < review_low)"
                + " AND ((last_hours_review IS NULL AND start_date < first_review_before)"
                + " OR last_hours_review < review_before)"),
        Group(\.agencyWithoutParity, condition: "start_date < agency_before AND agency_parity = false"),
    ]

    /// The bits of the pay groups, tested together under one comparison with the highest rate.
    private static let payBits = 0..<3
    /// The bits of the groups of direct workers; the rest are of agency workers.
    private static let directBits = 0..<7

    /// A line's groups as a bit mask.
    private static let mask: String = {
        func term(_ bit: Int) -> String { "CASE WHEN \(groups[bit].condition) THEN \(1 << bit) ELSE 0 END" }
        let pay = payBits.map(term).joined(separator: " | ")
        let direct = directBits.dropFirst(payBits.count).map(term).joined(separator: "\n | ")
        let agency = groups.indices.dropFirst(directBits.count).map(term).joined(separator: " | ")
        return """
            CASE employment_type
                WHEN 'direct' THEN CASE WHEN paid < top_rate THEN \(pay) ELSE 0 END
                                   | \(direct)
                WHEN 'agency' THEN \(agency)
                ELSE 0 END
            """
    }()

    static func figures(
        for versionIDs: [Int64], criteria: ReturnFigures.Criteria, on connection: PGConnection
    ) async throws -> [Int64: ReturnFigures] {
        guard !versionIDs.isEmpty else { return [:] }
        let c = criteria
        let rates = c.minimumWage
        let upcoming = c.upcomingRealLivingWage
        /// The statement's start: `m`, the batch's lines with their mask `h`.
        func lines(of versions: [Int64]) -> PGQuery {
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
            ), q AS (
                SELECT p.*, greatest(nmw_adult, nmw_18_20, nmw_under_18, nmw_apprentice, rlw_uk, rlw_london, up_uk,
                                     up_london) AS top_rate
                FROM p
            ), l AS (
                SELECT w.*, q.*, w.employment_type = 'direct' AS direct,
                       least(w.hourly_rate, w.overtime_rate) AS paid,
                       CASE WHEN w.contract_type = 'apprentice'
                                 AND (w.age_band IN ('under_18', '18') OR coalesce(w.apprentice_first_year, false))
                                THEN q.nmw_apprentice
                            WHEN w.age_band = 'under_18' THEN q.nmw_under_18
                            WHEN w.age_band IN ('18', '19_20') THEN q.nmw_18_20
                            ELSE q.nmw_adult END AS nmw,
                       CASE WHEN w.workplace_london THEN q.rlw_london ELSE q.rlw_uk END AS rlw,
                       CASE WHEN w.workplace_london THEN q.up_london ELSE q.up_uk END AS up
                FROM worker_lines w CROSS JOIN q
                WHERE w.return_version_id = ANY(\(versions))
            ), m AS (
                SELECT l.*, \(PGQuery(unsafeSQL: Self.mask)) AS h FROM l
            )
            """
        }
        // 1. The lines grouped by (return version, mask): the conditions are worked out once per line,
        //    and the parts of a return are merged here: a part's lines all fall in the same groups, so
        //    its count, lowest rate and shortfalls are those of each of its groups. Every aggregate here
        //    has a combining step, so PostgreSQL's parallel workers aggregate their share of the lines
        //    and the leader only merges their parts (with the references' `array_agg` among them, the
        //    leader aggregated every line alone, and that was most of the pass's time).
        let rows = try await connection.query(
            """
            \(lines(of: versionIDs))
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
                   max(up - paid) FILTER (WHERE h <> 0) AS up_shortfall
            FROM m GROUP BY return_version_id, h
            """)
        // 2. The references of the lines in any group, read again from the returns that have such lines
        //    only (usually a few), sorted in bytes and cut to the first `WorkerGroup.maximumRefs` of each
        //    part here: a return's references are unique (the lines' primary key), so that is what
        //    `ORDER BY worker_ref COLLATE "C"` gave.
        var flagged: Set<Int64> = []
        for row in rows where try row.decode(Int.self, column: "h") != 0 {
            flagged.insert(try row.decode(Int64.self, column: "return_version_id"))
        }
        var refs: [Int64: [Int: [String]]] = [:]
        if !flagged.isEmpty {
            for row in try await connection.query(
                """
                \(lines(of: flagged.sorted()))
                SELECT return_version_id, h, worker_ref FROM m WHERE h <> 0
                """)
            {
                refs[try row.decode(Int64.self, column: "return_version_id"), default: [:]][
                    try row.decode(Int.self, column: "h"), default: []
                ].append(try row.decode(String.self, column: "worker_ref"))
            }
        }
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
                let refs = Array(
                    (refs[id]?[h] ?? []).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                        .prefix(WorkerGroup.maximumRefs))
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

public import Foundation

/// The figures of one return version's worker lines that the charter's rules read.
///
/// A submission works them out as its lines stream in (`Tally`) and keeps them with the version, filed
/// under its `Criteria.key`; for criteria with none kept, the store works them out in one grouped SQL pass
/// over the worker lines of a batch of returns. The rules (`ComplianceRules`) are pure Swift over these
/// figures and the return's header. Each field
/// below states the exact population and condition the SQL must implement. Throughout:
///
/// - *S* is the snapshot date of the return's period (`ReportingPeriod.snapshot`).
/// - "direct" means `employment_type = 'direct'`, "agency" `employment_type = 'agency'`.
/// - The numbers (thresholds, weeks, months, excluded contract types) are the **effective** parameters
///   of the employer's pledge (charter defaults with the pledge's overrides), and the rates are those of
///   the `RateTable` at *S*. `ReturnFigures.Criteria` works all of them out, dates included, so the SQL
///   only binds values and never does calendar arithmetic of its own.
/// - A `WorkerGroup`'s `workerRefs` are the first 100 refs in `COLLATE "C"` order; for pay groups
///   `lowestRate` is the minimum of `least(hourly_rate, overtime_rate)` over the group (`least` skips a
///   null `overtime_rate`) and `largestShortfall` the maximum of (the worker's rate in force − that
///   value); both are nil for the other groups and for an empty group.
/// - A line is "below" a rate *R* when `hourly_rate < R OR overtime_rate < R` (a null `overtime_rate`
///   does not count). Comparisons are strict: a worker paid exactly the rate is not below it.
public struct ReturnFigures: Sendable, Hashable, Codable {
    /// Lines with `employment_type = 'direct'`: the denominator of the zero-hours share.
    public var directWorkers: Int
    /// Direct lines with `contract_type = 'zero_hours'`.
    public var directZeroHours: Int

    /// `pay.minimum-wage`: direct lines below their statutory rate in force at *S*.
    ///
    /// The worker's rate is the `apprentice` band when `contract_type = 'apprentice'` and
    /// (`age_band IN ('under_18', '18')` or `apprentice_first_year`), else their age band's:
    /// `under_18` → `under_18`, `18` and `19_20` → `18_20`, `21_plus` → `21_plus`
    /// (`RateTable.minimumWage(on:ageBand:apprentice:apprenticeFirstYear:)`, whose per-band rates
    /// `Criteria.minimumWage` lists). So a 21+ apprentice in their first year is judged against the
    /// apprentice rate, one in a later year against the 21+ rate. Shortfall = band rate − rate paid.
    public var belowMinimumWage: WorkerGroup

    /// `pay.real-living-wage` and `pay.rlw-plan`: direct lines with `age_band <> 'under_18'` and
    /// `contract_type` not in the standard's `excluded_contract_types` (`Criteria.excludedContractTypes`),
    /// below the Real Living Wage in force at *S* — the London rate when `workplace_london`, else the UK
    /// rate (`Criteria.realLivingWage`). Shortfall = that worker's rate − rate paid.
    public var belowRealLivingWage: WorkerGroup

    /// `pay.rlw-uplift-upcoming`: the population of `belowRealLivingWage`, below the rate announced on
    /// or before *S* whose deadline is after *S* (`Criteria.upcomingRealLivingWage`, London or UK as
    /// above). Workers already below the rate in force are in it too. Nil when no rate is upcoming.
    public var belowUpcomingRealLivingWage: WorkerGroup?

    /// `hours.zero-hours-consent`: direct `zero_hours` lines with `zhc_by_request` false or blank
    /// (`NOT coalesce(zhc_by_request, false)`).
    public var zeroHoursWithoutConsent: WorkerGroup

    /// `hours.living-hours-minimum`: direct lines with `contracted_hours < min_hours`
    /// (`Criteria.livingHoursMinimum`, default 16) and neither `fewer_hours_by_request` nor
    /// `zhc_by_request` true (blank counts as false: `NOT coalesce(…, false)` for both). Zero-hours
    /// workers (0 contracted hours) are in it unless one of the two is true. Computed whether or not the employer made the
    /// Living Hours commitment; the rule decides whether it applies.
    public var belowLivingHours: WorkerGroup

    /// `hours.reflect-actual`: direct lines with tenure ≥ `min_tenure_weeks` (i.e.
    /// `start_date <= Criteria.reflectStartedOnOrBefore`), `avg_actual_hours_12w` not blank,
    /// `avg_actual_hours_12w - contracted_hours >= margin_hours` (`Criteria.reflectMarginHours`;
    /// a gap of exactly the margin counts), and no offer in the look-back window: `guaranteed_hours_offered`
    /// blank, or not between `Criteria.offerWindowStart` and *S* (both inclusive).
    public var hoursNotReflected: WorkerGroup

    /// `hours.review-overdue`: direct lines with `contract_type = 'zero_hours'` or
    /// `contracted_hours < low_hours_threshold` (`Criteria.reviewLowHoursThreshold`), that either have
    /// no `last_hours_review` and tenure over `first_review_days`
    /// (`start_date < Criteria.firstReviewDueIfStartedBefore`), or a `last_hours_review` older than
    /// `review_interval_days` (`last_hours_review < Criteria.reviewOverdueIfLastBefore`).
    public var reviewOverdue: WorkerGroup

    /// `hours.agency-parity`: agency lines with tenure over `min_tenure_weeks`
    /// (`start_date < Criteria.agencyParityIfStartedBefore`) and `agency_parity = false`. A blank
    /// (NULL) `agency_parity` is missing data and not counted.
    public var agencyWithoutParity: WorkerGroup

    /// `hours.shift-notice`: Σ `shifts_scheduled` over all lines (every employment type).
    public var shiftsScheduled: Int
    /// Σ `shifts_short_notice` over all lines.
    public var shiftsShortNotice: Int
    /// `hours.cancellation-pay`: Σ `shifts_cancelled_short_notice` over all lines.
    public var shiftsCancelledShortNotice: Int
    /// Σ `shifts_cancelled_paid` over all lines.
    public var shiftsCancelledPaid: Int

    public init(
        directWorkers: Int = 0, directZeroHours: Int = 0, belowMinimumWage: WorkerGroup = .none,
        belowRealLivingWage: WorkerGroup = .none, belowUpcomingRealLivingWage: WorkerGroup? = nil,
        zeroHoursWithoutConsent: WorkerGroup = .none, belowLivingHours: WorkerGroup = .none,
        hoursNotReflected: WorkerGroup = .none, reviewOverdue: WorkerGroup = .none,
        agencyWithoutParity: WorkerGroup = .none, shiftsScheduled: Int = 0, shiftsShortNotice: Int = 0,
        shiftsCancelledShortNotice: Int = 0, shiftsCancelledPaid: Int = 0
    ) {
        self.directWorkers = directWorkers
        self.directZeroHours = directZeroHours
        self.belowMinimumWage = belowMinimumWage
        self.belowRealLivingWage = belowRealLivingWage
        self.belowUpcomingRealLivingWage = belowUpcomingRealLivingWage
        self.zeroHoursWithoutConsent = zeroHoursWithoutConsent
        self.belowLivingHours = belowLivingHours
        self.hoursNotReflected = hoursNotReflected
        self.reviewOverdue = reviewOverdue
        self.agencyWithoutParity = agencyWithoutParity
        self.shiftsScheduled = shiftsScheduled
        self.shiftsShortNotice = shiftsShortNotice
        self.shiftsCancelledShortNotice = shiftsCancelledShortNotice
        self.shiftsCancelledPaid = shiftsCancelledPaid
    }

    /// Direct zero-hours workers as a percentage of direct workers; nil when there are no direct workers.
    ///
    /// The store passes the previous period's value as `EvaluationInput.previousZeroHoursShare`, so both
    /// periods of `hours.zero-hours-trend` are worked out the same way.
    public var zeroHoursSharePercent: Decimal? {
        guard directWorkers > 0 else { return nil }
        return Decimal(directZeroHours) * 100 / Decimal(directWorkers)
    }

    enum CodingKeys: String, CodingKey {
        case directWorkers = "direct_workers"
        case directZeroHours = "direct_zero_hours"
        case belowMinimumWage = "below_minimum_wage"
        case belowRealLivingWage = "below_real_living_wage"
        case belowUpcomingRealLivingWage = "below_upcoming_real_living_wage"
        case zeroHoursWithoutConsent = "zero_hours_without_consent"
        case belowLivingHours = "below_living_hours"
        case hoursNotReflected = "hours_not_reflected"
        case reviewOverdue = "review_overdue"
        case agencyWithoutParity = "agency_without_parity"
        case shiftsScheduled = "shifts_scheduled"
        case shiftsShortNotice = "shifts_short_notice"
        case shiftsCancelledShortNotice = "shifts_cancelled_short_notice"
        case shiftsCancelledPaid = "shifts_cancelled_paid"
    }
}

public import Foundation

/// A parameter a pledge may override, and which way it tightens its standard.
///
/// SPEC §2: overrides may only tighten a standard, never loosen it. "Tighter" means the check
/// flags in more situations: more workers or contracts in scope, a smaller gap tolerated, an
/// obligation due sooner. Which direction that is differs per parameter, so each is written down
/// here with its reason (the table below is the single place that decides). Parameters not in
/// the table — text and true/false settings such as `requires_commitment` or the
/// `severity_…` switches — cannot be overridden at all: they shape the standard, not its strictness.
public struct StandardParameter: Sendable, Hashable {
    /// The direction in which a value makes the standard stricter.
    public enum Tightening: Sendable, Hashable {
        /// A smaller number is stricter.
        case lower
        /// A larger number is stricter.
        case higher
        /// A list that is a subset of the charter's is stricter (it excludes fewer).
        case subset
    }

    /// The standard id of SPEC §4, e.g. `hours.zero-hours-share`.
    public let standardID: String
    /// The parameter's key in the standard's params, e.g. `threshold_percent`.
    public let name: String
    public let tightening: Tightening
    /// Values outside this range make no sense for the check (a share over 100 %, a negative week),
    /// however strict; nil for lists.
    public let range: ClosedRange<Decimal>?
    /// Days, weeks, months, periods and headcounts are counted in whole units.
    public let isWholeNumber: Bool
    /// Why this direction is the stricter one, in words for the person whose override was refused.
    public let reason: String

    init(
        _ standardID: String, _ name: String, _ tightening: Tightening, _ range: ClosedRange<Decimal>? = nil,
        whole: Bool = false, _ reason: String
    ) {
        self.standardID = standardID
        self.name = name
        self.tightening = tightening
        self.range = range
        self.isWholeNumber = whole
        self.reason = reason
    }

    /// The parameter, if `name` of `standardID` may be overridden.
    public static func overridable(_ name: String, of standardID: String) -> StandardParameter? {
        all.first { $0.standardID == standardID && $0.name == name }
    }

    /// Every overridable parameter of the charter's standards (SPEC §4, defaults in migration 0004).
    public static let all: [StandardParameter] = [
        StandardParameter(
            "pay.real-living-wage", "excluded_contract_types", .subset, nil,
            "every contract type excluded is a group of workers the Real Living Wage check skips,"
                + " so excluding fewer types checks more workers"),
        StandardParameter(
            "pay.rlw-plan", "plan_horizon_months", .lower, 0...120, whole: true,
            "the plan must reach the Real Living Wage sooner"),
        StandardParameter(
            "pay.contractor-rlw", "min_hours_per_day", .lower, 0...24,
            "contracts with fewer hours a day come into scope"),
        StandardParameter(
            "pay.contractor-rlw", "min_consecutive_weeks", .lower, 0...520, whole: true,
            "shorter contracts come into scope"),
        StandardParameter(
            "hours.zero-hours-share", "threshold_percent", .lower, 0...100,
            "a smaller share of zero-hours workers is flagged"),
        StandardParameter(
            "hours.zero-hours-trend", "rise_points", .lower, Decimal(string: "0.1")!...100,
            "a smaller rise in the zero-hours share is flagged (at least 0.1, as 0 would flag an unchanged share)"),
        StandardParameter(
            "hours.living-hours-minimum", "min_hours", .higher, 0...100,
            "more weekly hours must be guaranteed"),
        StandardParameter(
            "hours.reflect-actual", "margin_hours", .lower, 1...100,
            "a smaller gap between hours worked and hours contracted is flagged (at least 1, as less is"
                + " within the noise of a 12-week average)"),
        StandardParameter(
            "hours.reflect-actual", "min_tenure_weeks", .lower, 0...52, whole: true,
            "the check applies to workers sooner after they start"),
        StandardParameter(
            "hours.reflect-actual", "offer_lookback_months", .lower, 1...120, whole: true,
            "an older offer of guaranteed hours no longer counts, so the offer must be more recent"),
        StandardParameter(
            "hours.review-overdue", "first_review_days", .lower, 1...366, whole: true,
            "the first hours review is due sooner after a worker starts"),
        StandardParameter(
            "hours.review-overdue", "review_interval_days", .lower, 1...731, whole: true,
            "hours reviews must come round more often"),
        StandardParameter(
            "hours.review-overdue", "low_hours_threshold", .higher, 0...100,
            "more workers count as low-hours and need reviews"),
        StandardParameter(
            "hours.shift-notice", "notice_days", .higher, 1...365, whole: true,
            "more notice is required before a shift counts as properly notified"),
        StandardParameter(
            "hours.shift-notice", "tolerance_percent", .lower, 0...100,
            "a smaller share of short-notice shifts is flagged"),
        StandardParameter(
            "hours.agency-parity", "min_tenure_weeks", .lower, 0...52, whole: true,
            "agency workers are owed equal terms sooner"),
        StandardParameter(
            "health.policy-review", "interval_months", .lower, 1...120, whole: true,
            "the health and safety policy must be reviewed more often"),
        StandardParameter(
            "just.union-access", "interval_months", .lower, 1...120, whole: true,
            "the right to join a union must be made known more often"),
        StandardParameter(
            "just.union-reply", "reply_days", .lower, 0...365, whole: true,
            "union requests must be answered sooner"),
        StandardParameter(
            "just.young-people", "min_headcount", .lower, 0...10_000_000, whole: true,
            "smaller employers are expected to offer apprenticeships or placements"),
        StandardParameter(
            "just.young-people", "lookback_periods", .lower, 1...40, whole: true,
            "an apprentice or placement must be more recent: fewer past quarters count towards it"),
        StandardParameter(
            "inclusive.equality-audit", "interval_months", .lower, 1...120, whole: true,
            "the equality audit must be repeated more often"),
        StandardParameter(
            "gov.data-quality", "headcount_tolerance_percent", .lower, 0...100,
            "a smaller difference between headcount and worker lines is flagged"),
        StandardParameter(
            "gov.data-quality", "blank_hours_percent", .lower, 0...100,
            "fewer blank actual-hours values are tolerated"),
        StandardParameter(
            "gov.data-quality", "rate_outlier_factor", .lower, 2...1000,
            "a smaller outlier rate is flagged (at least 2, as less is ordinary pay spread)"),
    ]
}

public import Foundation

extension ReturnFigures {
    /// Every value the SQL that computes `ReturnFigures` binds, worked out once in the domain.
    ///
    /// Cut-off dates follow SPEC §4's wording, with tenure = *S* − `start_date` in days and a week of
    /// 7 days: "tenure ≥ 12 weeks" is `start_date <= S − 84`, "tenure > 12 weeks" is
    /// `start_date < S − 84`, and months are calendar months (`CalendarDate.adding(months:)`).
    /// A standard the charter version lacks gets SPEC §4's default, so its (unused) figure still computes.
    public struct Criteria: Sendable, Hashable {
        /// The snapshot date *S*.
        public var snapshot: CalendarDate
        /// Statutory minimum wage per band in force at *S*.
        public var minimumWage: [MinimumWageBand: Decimal]
        /// The Real Living Wage in force at *S*.
        public var realLivingWage: RealLivingWageRate
        /// The rate announced on or before *S* whose deadline is after it; nil when none is.
        public var upcomingRealLivingWage: RealLivingWageRate?
        /// `pay.real-living-wage` `excluded_contract_types`.
        public var excludedContractTypes: [String]
        /// `hours.living-hours-minimum` `min_hours`.
        public var livingHoursMinimum: Decimal
        /// `hours.reflect-actual` `margin_hours`.
        public var reflectMarginHours: Decimal
        /// *S* − 7 × `hours.reflect-actual` `min_tenure_weeks` days: the latest start date in scope.
        public var reflectStartedOnOrBefore: CalendarDate
        /// *S* − `offer_lookback_months` months: the earliest offer of guaranteed hours that still counts.
        public var offerWindowStart: CalendarDate
        /// `hours.review-overdue` `low_hours_threshold`.
        public var reviewLowHoursThreshold: Decimal
        /// *S* − `first_review_days`: a worker never reviewed who started before this is overdue.
        public var firstReviewDueIfStartedBefore: CalendarDate
        /// *S* − `review_interval_days`: a last review before this is overdue.
        public var reviewOverdueIfLastBefore: CalendarDate
        /// *S* − 7 × `hours.agency-parity` `min_tenure_weeks` days: agency workers who started before
        /// this are owed equal terms.
        public var agencyParityIfStartedBefore: CalendarDate

        /// Every value above that a figure depends on, as one text, equal for equal criteria: what the
        /// figures kept with a return version are filed under, so that only a run judging by the same
        /// criteria uses them (another charter version, a pledge override or a corrected rate gives
        /// another key, and the figures are worked out afresh).
        public var key: String {
            func rate(_ value: RealLivingWageRate?) -> String { value.map { "\($0.uk)/\($0.london)" } ?? "-" }
            let bands = MinimumWageBand.allCases.map { "\($0.rawValue):\(minimumWage[$0].map { "\($0)" } ?? "-")" }
            return [
                "figures-1", "S=\(snapshot)", "nmw=" + bands.joined(separator: ","),
                "rlw=" + rate(realLivingWage), "upcoming=" + rate(upcomingRealLivingWage),
                "excluded=" + excludedContractTypes.sorted().joined(separator: ","), "lh=\(livingHoursMinimum)",
                "margin=\(reflectMarginHours)", "reflect<=\(reflectStartedOnOrBefore)", "offer>=\(offerWindowStart)",
                "low=\(reviewLowHoursThreshold)", "first<\(firstReviewDueIfStartedBefore)",
                "last<\(reviewOverdueIfLastBefore)", "agency<\(agencyParityIfStartedBefore)",
            ].joined(separator: " ")
        }

        /// The criteria a return for `period` is judged by under a pledge to `version` with `overrides`:
        /// what the nightly run, the rule preview and a submission keeping its figures all measure against.
        public init(
            period: ReportingPeriod, version: CharterVersion, overrides: PledgeOverrides, rates: RateTable
        ) throws(CharterDomainError) {
            try self.init(
                snapshot: period.snapshot,
                parameters: EvaluationInput.effectiveParameters(of: version, overrides: overrides), rates: rates)
        }

        /// The criteria for a return whose period has snapshot `snapshot`, with the pledge's effective
        /// parameters (`EvaluationInput.effectiveParameters(of:overrides:)`).
        ///
        /// Throws `.noRateInForce` when a rate is missing at the snapshot, `.invalidStandard` when a
        /// parameter has the wrong kind.
        public init(
            snapshot: CalendarDate, parameters: [String: [String: ParameterValue]], rates: RateTable
        ) throws(CharterDomainError) {
            func standard(_ id: String) -> RuleParameters {
                RuleParameters(
                    standardID: id, values: parameters[id] ?? ComplianceRules.specDefaultParameters[id] ?? [:])
            }
            self.snapshot = snapshot
            minimumWage = [
                .twentyOnePlus: try rates.minimumWage(
                    on: snapshot, ageBand: .twentyOnePlus, apprentice: false, apprenticeFirstYear: false),
                .eighteenToTwenty: try rates.minimumWage(
                    on: snapshot, ageBand: .nineteenToTwenty, apprentice: false, apprenticeFirstYear: false),
                .under18: try rates.minimumWage(
                    on: snapshot, ageBand: .under18, apprentice: false, apprenticeFirstYear: false),
                .apprentice: try rates.minimumWage(
                    on: snapshot, ageBand: .under18, apprentice: true, apprenticeFirstYear: true),
            ]
            realLivingWage = try rates.realLivingWageInForce(on: snapshot)
            upcomingRealLivingWage = rates.upcomingRealLivingWage(on: snapshot)
            excludedContractTypes = try standard("pay.real-living-wage").list("excluded_contract_types")
            livingHoursMinimum = try standard("hours.living-hours-minimum").number("min_hours")
            let reflect = standard("hours.reflect-actual")
            reflectMarginHours = try reflect.number("margin_hours")
            reflectStartedOnOrBefore = snapshot.adding(days: -7 * (try reflect.whole("min_tenure_weeks")))
            offerWindowStart = snapshot.adding(months: -(try reflect.whole("offer_lookback_months")))
            let review = standard("hours.review-overdue")
            reviewLowHoursThreshold = try review.number("low_hours_threshold")
            firstReviewDueIfStartedBefore = snapshot.adding(days: -(try review.whole("first_review_days")))
            reviewOverdueIfLastBefore = snapshot.adding(days: -(try review.whole("review_interval_days")))
            agencyParityIfStartedBefore = snapshot.adding(
                days: -7 * (try standard("hours.agency-parity").whole("min_tenure_weeks")))
        }
    }
}

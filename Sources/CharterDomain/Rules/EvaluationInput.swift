public import Foundation

/// Everything one evaluation of one return version needs: the return, its figures, what the employer
/// pledged, and the context from other periods. Made by the store; judged by `ComplianceRules.evaluate`.
public struct EvaluationInput: Sendable {
    public var employerID: Int64
    public var period: ReportingPeriod
    /// The charter version the employer pledged to for this period (or a draft, for a rule preview).
    public var charterVersion: CharterVersion
    public var tier: Tier
    /// The pledge's Living Hours commitment.
    public var livingHours: Bool
    /// Each standard's effective parameters by standard id: the charter version's defaults with the
    /// pledge's overrides on top.
    public var parameters: [String: [String: ParameterValue]]
    public var returnVersionID: Int64
    /// 1 for the first submission, 2 for the first amendment, …
    public var returnVersionNumber: Int
    public var header: ReturnHeader
    /// The worker-line figures of this return version, computed with `ReturnFigures.Criteria`.
    public var figures: ReturnFigures
    /// The rates; the rules look up those in force (and upcoming) at the snapshot.
    public var rates: RateTable
    /// The zero-hours share, in percent, of the employer's previous period's latest return
    /// (`ReturnFigures.zeroHoursSharePercent`); nil when there is none or it had no direct workers.
    public var previousZeroHoursShare: Decimal?
    /// Apprentices + work placements by period, for this period and earlier ones, counting only
    /// periods whose latest return gave at least one of the two attestations (a period that gave only
    /// one counts that one). `just.young-people` sums the last `lookback_periods` periods (this one
    /// included); a period absent from the map did not report them.
    public var youngPeopleByPeriod: [ReportingPeriod: Int]
    /// The plausibility warnings recorded when this return version was accepted (SPEC §3).
    public var dataQualityWarnings: [ReturnIssue]
    /// When the period's return was first received (its first version's received time).
    public var firstReceivedAt: Date
    /// The first instant at which a return is late: `ReportingPeriod.lateAfter(returnDueDays:holidays:)`,
    /// the start of the day after the due date in Europe/London (late = received after 23:59:59).
    public var lateAfter: Date

    /// The snapshot date: the last day of the period.
    public var snapshot: CalendarDate { period.snapshot }

    /// An input for an employer at `tier` with the given commitments and overrides; the effective
    /// parameters are worked out here from the charter version and the overrides.
    public init(
        employerID: Int64, period: ReportingPeriod, charterVersion: CharterVersion, tier: Tier, livingHours: Bool,
        overrides: PledgeOverrides = PledgeOverrides(), returnVersionID: Int64, returnVersionNumber: Int,
        header: ReturnHeader, figures: ReturnFigures, rates: RateTable, previousZeroHoursShare: Decimal? = nil,
        youngPeopleByPeriod: [ReportingPeriod: Int] = [:], dataQualityWarnings: [ReturnIssue] = [],
        firstReceivedAt: Date, lateAfter: Date
    ) {
        self.init(
            employerID: employerID, period: period, charterVersion: charterVersion, tier: tier,
            livingHours: livingHours, parameters: Self.effectiveParameters(of: charterVersion, overrides: overrides),
            returnVersionID: returnVersionID, returnVersionNumber: returnVersionNumber, header: header,
            figures: figures, rates: rates, previousZeroHoursShare: previousZeroHoursShare,
            youngPeopleByPeriod: youngPeopleByPeriod, dataQualityWarnings: dataQualityWarnings,
            firstReceivedAt: firstReceivedAt, lateAfter: lateAfter)
    }

    /// As above, with the effective parameters already worked out (`effectiveParameters(of:overrides:)`):
    /// the nightly run works them out once for all the returns it judges under one pledge's overrides.
    public init(
        employerID: Int64, period: ReportingPeriod, charterVersion: CharterVersion, tier: Tier, livingHours: Bool,
        parameters: [String: [String: ParameterValue]], returnVersionID: Int64, returnVersionNumber: Int,
        header: ReturnHeader, figures: ReturnFigures, rates: RateTable, previousZeroHoursShare: Decimal? = nil,
        youngPeopleByPeriod: [ReportingPeriod: Int] = [:], dataQualityWarnings: [ReturnIssue] = [],
        firstReceivedAt: Date, lateAfter: Date
    ) {
        self.employerID = employerID
        self.period = period
        self.charterVersion = charterVersion
        self.tier = tier
        self.livingHours = livingHours
        self.parameters = parameters
        self.returnVersionID = returnVersionID
        self.returnVersionNumber = returnVersionNumber
        self.header = header
        self.figures = figures
        self.rates = rates
        self.previousZeroHoursShare = previousZeroHoursShare
        self.youngPeopleByPeriod = youngPeopleByPeriod
        self.dataQualityWarnings = dataQualityWarnings
        self.firstReceivedAt = firstReceivedAt
        self.lateAfter = lateAfter
    }

    /// An input for the employer of `pledge`, with its tier, commitments and overrides.
    public init(
        pledge: Pledge, period: ReportingPeriod, charterVersion: CharterVersion, returnVersionID: Int64,
        returnVersionNumber: Int, header: ReturnHeader, figures: ReturnFigures, rates: RateTable,
        previousZeroHoursShare: Decimal? = nil, youngPeopleByPeriod: [ReportingPeriod: Int] = [:],
        dataQualityWarnings: [ReturnIssue] = [], firstReceivedAt: Date, lateAfter: Date
    ) {
        self.init(
            employerID: pledge.employerID, period: period, charterVersion: charterVersion, tier: pledge.tier,
            livingHours: pledge.livingHours, overrides: pledge.overrides, returnVersionID: returnVersionID,
            returnVersionNumber: returnVersionNumber, header: header, figures: figures, rates: rates,
            previousZeroHoursShare: previousZeroHoursShare, youngPeopleByPeriod: youngPeopleByPeriod,
            dataQualityWarnings: dataQualityWarnings, firstReceivedAt: firstReceivedAt, lateAfter: lateAfter)
    }

    /// How many periods `youngPeopleByPeriod` must reach back over, this one included: the
    /// `lookback_periods` of `just.young-people` in `parameters` (effective parameters by standard id), 1 when
    /// the version has no such standard or the value is unreadable (the rule then says why itself).
    public static func youngPeopleLookback(in parameters: [String: [String: ParameterValue]]) -> Int {
        let id = "just.young-people"
        guard let values = parameters[id],
            let lookback = try? RuleParameters(standardID: id, values: values).whole("lookback_periods")
        else { return 1 }
        return max(lookback, 1)
    }

    /// Each standard's parameters under `overrides`, keyed by standard id (`Pledge.effectiveParameters`
    /// for every standard of the version). Also what `ReturnFigures.Criteria` takes.
    public static func effectiveParameters(
        of charterVersion: CharterVersion, overrides: PledgeOverrides
    ) -> [String: [String: ParameterValue]] {
        Dictionary(
            uniqueKeysWithValues: charterVersion.standards.map {
                ($0.id, overrides.effectiveParameters(of: $0.id, defaults: $0.defaults))
            })
    }
}

import CharterDomain
import Foundation

// `day(_:)` (CalendarTests) and `money(_:)` (RateTableTests) are shared with the other suites.

/// Charter version 1 as migration 0004 seeds it, written out again by hand so the tests check the rules
/// against the SPEC's table rather than against the code's own defaults.
enum CharterFixture {
    static func standard(
        _ id: String, _ pillar: Pillar, _ parameters: [String: ParameterValue], _ aspiring: Severity,
        _ accredited: Severity
    ) -> Standard {
        Standard(
            id: id, pillar: pillar, title: id, defaults: StandardDefaults(parameters: parameters),
            severityAspiring: aspiring, severityAccredited: accredited)
    }

    static let standards: [Standard] = [
        standard("pay.minimum-wage", .fair, [:], .critical, .critical),
        standard(
            "pay.real-living-wage", .fair, ["excluded_contract_types": .list(["apprentice", "intern", "volunteer"])],
            .warning, .breach),
        standard("pay.rlw-uplift-upcoming", .fair, [:], .info, .info),
        standard("pay.rlw-plan", .fair, ["plan_horizon_months": .number(24)], .breach, .off),
        standard(
            "pay.contractor-rlw", .fair, ["min_hours_per_day": .number(2), "min_consecutive_weeks": .number(8)],
            .warning, .breach),
        standard("hours.zero-hours-consent", .fair, [:], .warning, .breach),
        standard("hours.zero-hours-share", .fair, ["threshold_percent": .number(5)], .warning, .warning),
        standard("hours.zero-hours-trend", .fair, ["rise_points": .number(2)], .warning, .warning),
        standard(
            "hours.living-hours-minimum", .fair,
            ["min_hours": .number(16), "requires_commitment": .text("living_hours")], .breach, .breach),
        standard(
            "hours.reflect-actual", .fair,
            ["margin_hours": .number(4), "min_tenure_weeks": .number(12), "offer_lookback_months": .number(12)],
            .warning, .breach),
        standard(
            "hours.review-overdue", .fair,
            [
                "first_review_days": .number(84), "review_interval_days": .number(183),
                "low_hours_threshold": .number(16),
            ], .warning, .breach),
        standard(
            "hours.shift-notice", .fair,
            [
                "notice_days": .number(28), "tolerance_percent": .number(5),
                "severity_accredited_with_living_hours": .text("breach"),
            ], .warning, .warning),
        standard("hours.cancellation-pay", .fair, [:], .warning, .breach),
        standard("hours.agency-parity", .fair, ["min_tenure_weeks": .number(12)], .warning, .breach),
        standard("health.sick-pay-day-one", .healthy, [:], .warning, .breach),
        standard(
            "health.policy-review", .healthy,
            ["interval_months": .number(12), "severity_aspiring_if_missing": .text("breach")], .warning, .breach),
        standard(
            "just.union-access", .just,
            ["interval_months": .number(12), "accredited_requires_recognition": .flag(true)], .breach, .breach),
        standard("just.union-reply", .just, ["reply_days": .number(10)], .breach, .breach),
        standard(
            "just.young-people", .just, ["min_headcount": .number(10), "lookback_periods": .number(4)], .warning,
            .warning),
        standard("inclusive.equality-audit", .inclusive, ["interval_months": .number(12)], .warning, .breach),
        standard("inclusive.flexible-day-one", .inclusive, [:], .warning, .breach),
        standard("gov.return-late", .governance, [:], .warning, .warning),
        standard("gov.return-missing", .governance, [:], .breach, .breach),
        standard(
            "gov.data-quality", .governance,
            [
                "headcount_tolerance_percent": .number(5), "blank_hours_percent": .number(20),
                "rate_outlier_factor": .number(100),
            ], .info, .warning),
    ]

    static let version = CharterVersion(
        id: 1, label: "Fair Employment Charter 2026", effectiveFrom: day("2024-01-01"), standards: standards)

    /// The version with one standard's severities replaced.
    static func version(_ id: String, aspiring: Severity, accredited: Severity) -> CharterVersion {
        var copy = version
        copy.standards = standards.map { standard in
            var standard = standard
            if standard.id == id {
                standard.severityAspiring = aspiring
                standard.severityAccredited = accredited
            }
            return standard
        }
        return copy
    }
}

/// One evaluation to run, compliant with every standard until a test changes what it is about.
struct RuleCase {
    var period = ReportingPeriod("2026-Q3")!
    var version = CharterFixture.version
    var tier = Tier.accredited
    var livingHours = false
    var overrides = PledgeOverrides()
    var header: ReturnHeader
    var figures = ReturnFigures(directWorkers: 100)
    var rates = RateTable.specDefaults
    var previousZeroHoursShare: Decimal?
    var youngPeopleByPeriod: [ReportingPeriod: Int] = [:]
    var warnings: [ReturnIssue] = []
    var firstReceivedAt: Date
    var lateAfter: Date

    /// 2026-Q3 (snapshot 2026-09-30), accredited, no commitments; every attestation recent and true,
    /// received a day before the deadline.
    init(_ tier: Tier = .accredited) {
        self.tier = tier
        var attestations = Attestations()
        attestations.hsPolicyReviewedOn = day("2026-02-01")
        attestations.equalityAuditOn = day("2025-11-15")
        attestations.unionRightNoticeOn = day("2026-01-10")
        attestations.recognitionAgreement = true
        attestations.unionRequests = [UnionRequest(receivedOn: day("2026-08-01"), repliedOn: day("2026-08-06"))]
        attestations.sickPayWaitingDays = 0
        attestations.flexibleWorkingDayOne = true
        attestations.apprentices = 3
        attestations.workPlacements = 2
        header = ReturnHeader(period: period, headcount: 100, attestations: attestations, contractors: [])
        lateAfter = period.lateAfter(returnDueDays: 30, holidays: BankHolidays([]))
        firstReceivedAt = lateAfter.addingTimeInterval(-86_400)
    }

    var input: EvaluationInput {
        EvaluationInput(
            employerID: 7, period: period, charterVersion: version, tier: tier, livingHours: livingHours,
            overrides: overrides, returnVersionID: 42, returnVersionNumber: 2, header: header, figures: figures,
            rates: rates, previousZeroHoursShare: previousZeroHoursShare, youngPeopleByPeriod: youngPeopleByPeriod,
            dataQualityWarnings: warnings, firstReceivedAt: firstReceivedAt, lateAfter: lateAfter)
    }

    func findings() throws -> [Finding] { try ComplianceRules.evaluate(input) }

    /// The findings of one standard.
    func findings(_ standardID: String) throws -> [Finding] {
        try findings().filter { $0.standardID == standardID }
    }

    /// The severity of the single finding of `standardID`; nil when there is none.
    func severity(_ standardID: String) throws -> Severity? {
        let found = try findings(standardID)
        precondition(found.count <= 1, "\(standardID) gave \(found.count) findings")
        return found.first?.severity
    }

    /// The case with `change` applied.
    func with(_ change: (inout RuleCase) -> Void) -> RuleCase {
        var copy = self
        change(&copy)
        return copy
    }
}

/// A group of `count` workers named W001…
func workers(_ count: Int, lowestRate: String? = nil, shortfall: String? = nil) -> WorkerGroup {
    WorkerGroup(
        count: count, workerRefs: (1...max(count, 1)).prefix(count).map { "W" + String(format: "%03d", $0) },
        lowestRate: lowestRate.map(money), largestShortfall: shortfall.map(money))
}

import Foundation

/// The charter's standards (SPEC §4) as pure checks of one return version.
///
/// `evaluate` judges a return against every standard of the employer's charter version except
/// `gov.return-missing`, which has no return to judge and is raised by the nightly run through
/// `missingReturn`. Each standard is a small function below; thresholds come from the standard's
/// effective parameters and are compared exactly (cross-multiplied, never through rounded shares).
public enum ComplianceRules {
    /// Every standard id this build knows how to check, in SPEC §4's order.
    public static let standardIDs: [String] = RuleKind.allCases.map(\.rawValue)

    /// The standard ids of `charterVersion` this build cannot check; a version with any cannot be evaluated.
    public static func unknownStandards(in charterVersion: CharterVersion) -> [String] {
        charterVersion.standards.map(\.id).filter { RuleKind(rawValue: $0) == nil }
    }

    /// A charter version's standards, each matched with its rule: worked out once for every return a version
    /// judges (a nightly run judges thousands by one), not for each.
    public struct Rulebook: Sendable {
        let charterVersionID: Int64
        /// The standards judged on a return (all but `gov.return-missing`), in the version's order.
        fileprivate let rules: [(standard: Standard, kind: RuleKind)]

        /// Throws `.invalidStandard` when the version has a standard this build cannot check.
        public init(_ version: CharterVersion) throws(CharterDomainError) {
            let unknown = ComplianceRules.unknownStandards(in: version)
            guard unknown.isEmpty else {
                throw CharterDomainError(
                    .invalidStandard,
                    "charter version \(version.label) has standards this service cannot check: "
                        + unknown.joined(separator: ", "))
            }
            charterVersionID = version.id
            rules = version.standards.compactMap { standard in
                RuleKind(rawValue: standard.id).flatMap { $0 == .returnMissing ? nil : (standard, $0) }
            }
        }
    }

    /// The findings of one return version, in the charter version's order of standards (contractor
    /// findings by supplier).
    ///
    /// Standards whose severity for the tier is `off` are skipped. Throws `.noRateInForce` when the
    /// rate table has no minimum wage or Real Living Wage in force at the snapshot (never a silent
    /// pass), and `.invalidStandard` when the charter version has a standard this build does not know
    /// or a parameter a rule needs is missing or of the wrong kind.
    ///
    /// `criteria` are the input's (`ReturnFigures.Criteria(snapshot:parameters:rates:)` of its snapshot,
    /// parameters and rates) and `rulebook` its charter version's, when the caller has them: they are the
    /// same for every return of a period judged under one pledge's overrides, so the nightly run works them
    /// out once for thousands of returns.
    public static func evaluate(
        _ input: EvaluationInput, criteria known: ReturnFigures.Criteria? = nil, rulebook: Rulebook? = nil
    ) throws(CharterDomainError) -> [Finding] {
        let book: Rulebook
        if let rulebook, rulebook.charterVersionID == input.charterVersion.id {
            book = rulebook
        } else {
            book = try Rulebook(input.charterVersion)
        }
        let criteria: ReturnFigures.Criteria
        if let known {
            criteria = known
        } else {
            criteria = try ReturnFigures.Criteria(
                snapshot: input.snapshot, parameters: input.parameters, rates: input.rates)
        }
        var findings: [Finding] = []
        // One rule context, moved from standard to standard: the input is large, and copying it for each
        // of the 24 standards was almost half of the time spent here.
        var rule = Rule(input: input, criteria: criteria, standardID: "", kind: .returnMissing, severity: .off)
        for index in book.rules.indices {
            rule.severity = book.rules[index].standard.severity(for: input.tier)
            guard rule.severity != .off else { continue }
            rule.standardID = book.rules[index].standard.id
            rule.kind = book.rules[index].kind
            findings += try rule.findings()
        }
        return findings
    }

    /// The `gov.return-missing` finding for a period whose return was not received by its due date;
    /// nil when the charter version has no such standard or it is `off` for the tier.
    ///
    /// The nightly run raises it once the due date has passed and clears it when a return arrives; while
    /// it is open it suppresses every other standard for the employer and period (SPEC §5).
    public static func missingReturn(
        period: ReportingPeriod, charterVersion: CharterVersion, tier: Tier,
        overrides: PledgeOverrides = PledgeOverrides(), dueDate: CalendarDate
    ) -> Finding? {
        let id = "gov.return-missing"
        guard let standard = charterVersion.standard(id), standard.severity(for: tier) != .off else { return nil }
        var evidence = Evidence(
            charterVersionID: charterVersion.id, charterVersionLabel: charterVersion.label,
            parameters: overrides.effectiveParameters(of: id, defaults: standard.defaults), period: period,
            returnVersionID: nil, returnVersionNumber: nil)
        evidence.dueDate = dueDate
        return Finding(standardID: id, severity: standard.severity(for: tier), evidence: evidence)
    }

    /// SPEC §4's default parameters (as migration 0004 seeds them), used only to compute the figures of
    /// a standard a charter version leaves out.
    static let specDefaultParameters: [String: [String: ParameterValue]] = [
        "pay.real-living-wage": ["excluded_contract_types": .list(["apprentice", "intern", "volunteer"])],
        "hours.living-hours-minimum": ["min_hours": .number(16)],
        "hours.reflect-actual": [
            "margin_hours": .number(4), "min_tenure_weeks": .number(12), "offer_lookback_months": .number(12),
        ],
        "hours.review-overdue": [
            "first_review_days": .number(84), "review_interval_days": .number(183), "low_hours_threshold": .number(16),
        ],
        "hours.agency-parity": ["min_tenure_weeks": .number(12)],
    ]
}

/// The rule of each standard this build can check, named by the standard's id, in SPEC §4's order.
private enum RuleKind: String, CaseIterable, Sendable {
    case minimumWage = "pay.minimum-wage"
    case realLivingWage = "pay.real-living-wage"
    case upliftUpcoming = "pay.rlw-uplift-upcoming"
    case rlwPlan = "pay.rlw-plan"
    case contractorRLW = "pay.contractor-rlw"
    case zeroHoursConsent = "hours.zero-hours-consent"
    case zeroHoursShare = "hours.zero-hours-share"
    case zeroHoursTrend = "hours.zero-hours-trend"
    case livingHoursMinimum = "hours.living-hours-minimum"
    case reflectActual = "hours.reflect-actual"
    case reviewOverdue = "hours.review-overdue"
    case shiftNotice = "hours.shift-notice"
    case cancellationPay = "hours.cancellation-pay"
    case agencyParity = "hours.agency-parity"
    case sickPayDayOne = "health.sick-pay-day-one"
    case policyReview = "health.policy-review"
    case unionAccess = "just.union-access"
    case unionReply = "just.union-reply"
    case youngPeople = "just.young-people"
    case equalityAudit = "inclusive.equality-audit"
    case flexibleDayOne = "inclusive.flexible-day-one"
    case returnLate = "gov.return-late"
    /// Raised by the nightly run for a return that did not come (`missingReturn`), never judged on one.
    case returnMissing = "gov.return-missing"
    case dataQuality = "gov.data-quality"
}

/// One standard being checked against one return: the context every rule function shares.
private struct Rule {
    let input: EvaluationInput
    let criteria: ReturnFigures.Criteria
    var standardID: String
    var kind: RuleKind
    /// The severity for the employer's tier; a few rules adjust it.
    var severity: Severity

    var parameters: RuleParameters {
        RuleParameters(standardID: standardID, values: input.parameters[standardID] ?? [:])
    }
    var snapshot: CalendarDate { input.snapshot }
    var figures: ReturnFigures { input.figures }
    var attestations: Attestations { input.header.attestations }

    func findings() throws(CharterDomainError) -> [Finding] {
        switch kind {
        case .minimumWage: return minimumWage()
        case .realLivingWage: return realLivingWage()
        case .upliftUpcoming: return upliftUpcoming()
        case .rlwPlan: return try rlwPlan()
        case .contractorRLW: return try contractorRLW()
        case .zeroHoursConsent: return group(figures.zeroHoursWithoutConsent)
        case .zeroHoursShare: return try zeroHoursShare()
        case .zeroHoursTrend: return try zeroHoursTrend()
        case .livingHoursMinimum: return livingHoursMinimum()
        case .reflectActual: return group(figures.hoursNotReflected)
        case .reviewOverdue: return group(figures.reviewOverdue)
        case .shiftNotice: return try shiftNotice()
        case .cancellationPay: return cancellationPay()
        case .agencyParity: return group(figures.agencyWithoutParity)
        case .sickPayDayOne: return sickPayDayOne()
        case .policyReview: return try policyReview()
        case .unionAccess: return try unionAccess()
        case .unionReply: return try unionReply()
        case .youngPeople: return try youngPeople()
        case .equalityAudit: return try equalityAudit()
        case .flexibleDayOne: return flexibleDayOne()
        case .returnLate: return returnLate()
        case .returnMissing: return []  // raised by the nightly run, not found on a return
        case .dataQuality: return try dataQuality()
        }
    }

    // MARK: - Building findings

    /// Evidence with the charter version, parameters and return version set.
    func evidence() -> Evidence {
        Evidence(
            charterVersionID: input.charterVersion.id, charterVersionLabel: input.charterVersion.label,
            parameters: input.parameters[standardID] ?? [:], period: input.period,
            returnVersionID: input.returnVersionID, returnVersionNumber: input.returnVersionNumber)
    }

    /// Evidence naming the workers of `group`, with its pay figures when it has them.
    func evidence(_ group: WorkerGroup) -> Evidence {
        var evidence = evidence()
        evidence.workers = .exact(group.count)
        evidence.workerRefs = group.workerRefs
        evidence.lowestRate = group.lowestRate
        evidence.largestShortfallPerHour = group.largestShortfall
        return evidence
    }

    func finding(_ evidence: Evidence, subject: String = "", severity: Severity? = nil) -> Finding {
        Finding(standardID: standardID, subject: subject, severity: severity ?? self.severity, evidence: evidence)
    }

    /// A finding when any worker is in `group`: the standards whose whole check is a population of lines.
    func group(_ group: WorkerGroup) -> [Finding] {
        group.isEmpty ? [] : [finding(evidence(group))]
    }

    func withRealLivingWage(_ evidence: Evidence, _ rate: RealLivingWageRate) -> Evidence {
        var evidence = evidence
        evidence.rateInForce = rate.uk
        evidence.londonRateInForce = rate.london
        evidence.rateYear = rate.rateYear
        evidence.rateDeadline = rate.deadline
        return evidence
    }

    // MARK: - Pay

    func minimumWage() -> [Finding] {
        let below = figures.belowMinimumWage
        guard !below.isEmpty else { return [] }
        var evidence = evidence(below)
        evidence.minimumWageRates = Dictionary(
            uniqueKeysWithValues: criteria.minimumWage.map { ($0.key.rawValue, $0.value) })
        return [finding(evidence)]
    }

    func realLivingWage() -> [Finding] {
        let below = figures.belowRealLivingWage
        guard !below.isEmpty else { return [] }
        return [finding(withRealLivingWage(evidence(below), criteria.realLivingWage))]
    }

    /// The note for workers below a rate announced on or before the snapshot but not yet due.
    func upliftUpcoming() -> [Finding] {
        guard let upcoming = criteria.upcomingRealLivingWage, let below = figures.belowUpcomingRealLivingWage,
            !below.isEmpty
        else { return [] }
        return [finding(withRealLivingWage(evidence(below), upcoming))]
    }

    /// Aspiring employers with workers below the RLW need a plan reaching it within the horizon.
    func rlwPlan() throws(CharterDomainError) -> [Finding] {
        let below = figures.belowRealLivingWage
        guard !below.isEmpty else { return [] }
        let cutoff = snapshot.adding(months: try parameters.whole("plan_horizon_months"))
        if let target = attestations.rlwPlanTarget, target <= cutoff { return [] }
        var evidence = withRealLivingWage(evidence(below), criteria.realLivingWage)
        evidence.attestations = [AttestationFigure("rlw_plan_target", attestations.rlwPlanTarget?.description)]
        evidence.cutoff = cutoff
        return [finding(evidence)]
    }

    /// One finding per supplier with a contract in scope that neither pays the RLW nor has a milestone
    /// still ahead (a milestone on the snapshot day itself is not yet missed).
    func contractorRLW() throws(CharterDomainError) -> [Finding] {
        let minHours = try parameters.number("min_hours_per_day")
        let minWeeks = try parameters.whole("min_consecutive_weeks")
        let failing = input.header.contractors.filter { contract in
            Decimal(shortestTextOf: contract.hoursPerDay) >= minHours && contract.consecutiveWeeks >= minWeeks
                && !contract.rlwPaid
                && (contract.milestone.map { $0 < snapshot } ?? true)
        }
        let bySupplier = Dictionary(grouping: failing, by: \.supplier)
        return bySupplier.keys.sorted().map { supplier in
            var evidence = evidence()
            evidence.contracts = bySupplier[supplier, default: []].map(ContractFigure.init)
            return finding(evidence, subject: supplier)
        }
    }

    // MARK: - Hours

    func zeroHoursShare() throws(CharterDomainError) -> [Finding] {
        let threshold = try parameters.number("threshold_percent")
        let zeroHours = figures.directZeroHours
        let direct = figures.directWorkers
        // zeroHours / direct × 100 > threshold, multiplied out so no rounded share decides.
        guard direct > 0, Decimal(zeroHours) * 100 > threshold * Decimal(direct) else { return [] }
        var evidence = evidence()
        evidence.workers = .exact(zeroHours)
        evidence.directWorkers = .exact(direct)
        evidence.sharePercent = figures.zeroHoursSharePercent.map { $0.rounded(2) }
        return [finding(evidence)]
    }

    func zeroHoursTrend() throws(CharterDomainError) -> [Finding] {
        let rise = try parameters.number("rise_points")
        guard let previous = input.previousZeroHoursShare, let current = figures.zeroHoursSharePercent else {
            return []
        }
        // Both shares come from the same division; rounding their difference far below any real gap
        // between two shares of whole workers removes the division's last-digit noise.
        guard (current - previous).rounded(20) >= rise else { return [] }
        var evidence = evidence()
        evidence.workers = .exact(figures.directZeroHours)
        evidence.directWorkers = .exact(figures.directWorkers)
        evidence.sharePercent = current.rounded(2)
        evidence.previousSharePercent = previous.rounded(2)
        return [finding(evidence)]
    }

    /// Only for pledges with the Living Hours commitment (the standard's `requires_commitment`).
    func livingHoursMinimum() -> [Finding] {
        let commitment = parameters.text("requires_commitment") ?? "living_hours"
        guard commitment != "living_hours" || input.livingHours else { return [] }
        return group(figures.belowLivingHours)
    }

    /// Accredited employers with the Living Hours commitment get the stricter severity the standard names.
    func shiftNotice() throws(CharterDomainError) -> [Finding] {
        let tolerance = try parameters.number("tolerance_percent")
        let scheduled = figures.shiftsScheduled
        let shortNotice = figures.shiftsShortNotice
        guard scheduled > 0, Decimal(shortNotice) * 100 > tolerance * Decimal(scheduled) else { return [] }
        var severity = self.severity
        if input.tier == .accredited, input.livingHours,
            let stricter = try parameters.severity("severity_accredited_with_living_hours")
        {
            severity = stricter
        }
        var evidence = evidence()
        evidence.shiftsScheduled = scheduled
        evidence.shiftsShortNotice = shortNotice
        evidence.sharePercent = (Decimal(shortNotice) * 100 / Decimal(scheduled)).rounded(2)
        return [finding(evidence, severity: severity)]
    }

    func cancellationPay() -> [Finding] {
        guard figures.shiftsCancelledPaid < figures.shiftsCancelledShortNotice else { return [] }
        var evidence = evidence()
        evidence.shiftsCancelledShortNotice = figures.shiftsCancelledShortNotice
        evidence.shiftsCancelledPaid = figures.shiftsCancelledPaid
        return [finding(evidence)]
    }

    // MARK: - Healthy

    /// A missing waiting-days attestation is missing data (a completeness warning), not a waiting period.
    func sickPayDayOne() -> [Finding] {
        guard let days = attestations.sickPayWaitingDays, days > 0 else { return [] }
        var evidence = evidence()
        evidence.attestations = [AttestationFigure("sick_pay_waiting_days", "\(days)")]
        return [finding(evidence)]
    }

    /// Missing is worse than late for aspiring employers (`severity_aspiring_if_missing`).
    func policyReview() throws(CharterDomainError) -> [Finding] {
        let cutoff = snapshot.adding(months: -(try parameters.whole("interval_months")))
        let reviewed = attestations.hsPolicyReviewedOn
        var severity = self.severity
        if let reviewed {
            guard reviewed < cutoff else { return [] }
        } else if input.tier == .aspiring, let missing = try parameters.severity("severity_aspiring_if_missing") {
            severity = missing
        }
        var evidence = evidence()
        evidence.attestations = [AttestationFigure("hs_policy_reviewed_on", reviewed?.description)]
        evidence.cutoff = cutoff
        return [finding(evidence, severity: severity)]
    }

    // MARK: - Just

    /// The notice must be recent; accredited employers also need a recognition agreement (when the
    /// standard's `accredited_requires_recognition` is true, as by default).
    func unionAccess() throws(CharterDomainError) -> [Finding] {
        let cutoff = snapshot.adding(months: -(try parameters.whole("interval_months")))
        let notice = attestations.unionRightNoticeOn
        let noticeFails = notice.map { $0 < cutoff } ?? true
        let needsRecognition =
            input.tier == .accredited && (parameters.flag("accredited_requires_recognition") ?? true)
        let recognitionFails = needsRecognition && attestations.recognitionAgreement != true
        guard noticeFails || recognitionFails else { return [] }
        var evidence = evidence()
        evidence.attestations = [AttestationFigure("union_right_notice_on", notice?.description)]
        if needsRecognition {
            evidence.attestations?.append(
                AttestationFigure("recognition_agreement", attestations.recognitionAgreement?.description))
        }
        evidence.cutoff = cutoff
        return [finding(evidence)]
    }

    /// A request replied to more than `reply_days` after receipt, or still unanswered more than
    /// `reply_days` after receipt at the snapshot. Day `reply_days` itself is in time.
    func unionReply() throws(CharterDomainError) -> [Finding] {
        let replyDays = try parameters.whole("reply_days")
        let late = (attestations.unionRequests ?? []).compactMap { request -> UnionRequestFigure? in
            let days = request.receivedOn.days(until: request.repliedOn ?? snapshot)
            guard days > replyDays else { return nil }
            return UnionRequestFigure(receivedOn: request.receivedOn, repliedOn: request.repliedOn, days: days)
        }
        guard !late.isEmpty else { return [] }
        var evidence = evidence()
        evidence.unionRequests = late
        return [finding(evidence)]
    }

    /// Headcount at least `min_headcount` and no apprentice or placement over the last `lookback_periods`
    /// periods. Periods that did not report either attestation are not counted as zero; if none of
    /// them reported, nothing is known and nothing is flagged.
    func youngPeople() throws(CharterDomainError) -> [Finding] {
        let minHeadcount = try parameters.whole("min_headcount")
        let lookback = try parameters.whole("lookback_periods")
        guard input.header.headcount >= minHeadcount, lookback > 0 else { return [] }
        var periods: [ReportingPeriod] = [input.period]
        while periods.count < lookback { periods.append(periods[periods.count - 1].previous) }
        // This period's figure comes from the header being judged, not from what the store last saw.
        let thisPeriod = attestations.youngPeople
        let reported = periods.compactMap { $0 == input.period ? thisPeriod : input.youngPeopleByPeriod[$0] }
        guard !reported.isEmpty, reported.reduce(0, +) == 0 else { return [] }
        var evidence = evidence()
        evidence.headcount = .exact(input.header.headcount)
        evidence.youngPeople = 0
        evidence.periodsConsidered = periods
        return [finding(evidence)]
    }

    // MARK: - Inclusive

    func equalityAudit() throws(CharterDomainError) -> [Finding] {
        let cutoff = snapshot.adding(months: -(try parameters.whole("interval_months")))
        let audited = attestations.equalityAuditOn
        guard audited.map({ $0 < cutoff }) ?? true else { return [] }
        var evidence = evidence()
        evidence.attestations = [AttestationFigure("equality_audit_on", audited?.description)]
        evidence.cutoff = cutoff
        return [finding(evidence)]
    }

    /// "Not true": false and missing both fail.
    func flexibleDayOne() -> [Finding] {
        guard attestations.flexibleWorkingDayOne != true else { return [] }
        var evidence = evidence()
        evidence.attestations = [
            AttestationFigure("flexible_working_day_one", attestations.flexibleWorkingDayOne?.description)
        ]
        return [finding(evidence)]
    }

    // MARK: - Governance

    /// Judged on the first version's receipt: amending an on-time return later does not make it late.
    func returnLate() -> [Finding] {
        guard input.firstReceivedAt >= input.lateAfter else { return [] }
        var evidence = evidence()
        evidence.firstReceivedAt = input.firstReceivedAt
        evidence.lateAfter = input.lateAfter
        return [finding(evidence)]
    }

    /// The plausibility warnings, less those about a blank attestation nothing applicable uses (SPEC §3):
    /// a blank `rlw_plan_target` at an accredited employer is not missing data, it is not asked for.
    func dataQuality() throws(CharterDomainError) -> [Finding] {
        // Most returns have no warnings: nothing to weigh against the attestations needed.
        guard !input.dataQualityWarnings.isEmpty else { return [] }
        let needed = try neededAttestations()
        let warnings = input.dataQualityWarnings.filter { warning in
            guard warning.line == nil, let column = warning.column, column.hasPrefix(Self.attestationPrefix),
                Attestations.names.contains(String(column.dropFirst(Self.attestationPrefix.count)))
            else { return true }
            return needed.contains(String(column.dropFirst(Self.attestationPrefix.count)))
        }
        guard !warnings.isEmpty else { return [] }
        var evidence = evidence()
        evidence.warnings = warnings
        return [finding(evidence)]
    }

    /// How the header reader names an attestation's warning: `attestations.rlw_plan_target`.
    static let attestationPrefix = "attestations."

    /// The attestations a standard that applies to this employer reads, so that leaving one blank is
    /// missing data (SPEC §3). A standard applies when the charter version has it and its severity at the
    /// tier is not `off`, and its condition can hold: `recognition_agreement` only at the accredited tier
    /// (when the standard asks for it), `apprentices` and `work_placements` only at or above the
    /// headcount `just.young-people` starts at, `rlw_plan_target` only while some worker in scope of
    /// `pay.real-living-wage` is below the rate in force.
    func neededAttestations() throws(CharterDomainError) -> Set<String> {
        func applies(_ id: String) -> RuleParameters? {
            guard let standard = input.charterVersion.standard(id), standard.severity(for: input.tier) != .off else {
                return nil
            }
            return RuleParameters(standardID: id, values: input.parameters[id] ?? [:])
        }
        var needed: Set<String> = []
        if applies("health.policy-review") != nil { needed.insert("hs_policy_reviewed_on") }
        if applies("inclusive.equality-audit") != nil { needed.insert("equality_audit_on") }
        if let access = applies("just.union-access") {
            needed.insert("union_right_notice_on")
            if input.tier == .accredited, access.flag("accredited_requires_recognition") ?? true {
                needed.insert("recognition_agreement")
            }
        }
        if applies("just.union-reply") != nil { needed.insert("union_requests") }
        if applies("health.sick-pay-day-one") != nil { needed.insert("sick_pay_waiting_days") }
        if applies("inclusive.flexible-day-one") != nil { needed.insert("flexible_working_day_one") }
        if let young = applies("just.young-people"), input.header.headcount >= (try young.whole("min_headcount")),
            try young.whole("lookback_periods") > 0
        {
            needed.formUnion(["apprentices", "work_placements"])
        }
        if applies("pay.rlw-plan") != nil, !figures.belowRealLivingWage.isEmpty { needed.insert("rlw_plan_target") }
        return needed
    }
}

extension Decimal {
    /// Rounded half away from zero to `scale` decimal places.
    fileprivate func rounded(_ scale: Int) -> Decimal {
        var value = self
        var result = Decimal()
        NSDecimalRound(&result, &value, scale, .plain)
        return result
    }

    /// A `Double` from the return's JSON by its shortest text, so 2.1 hours is 2.1, not 2.0999…
    init(shortestTextOf double: Double) {
        self = Decimal(string: "\(double)", locale: Locale(identifier: "en_US_POSIX")) ?? Decimal(floatLiteral: double)
    }
}

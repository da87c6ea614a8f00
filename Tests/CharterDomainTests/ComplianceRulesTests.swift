import CharterDomain
import Foundation
import Testing

/// The pay and hours standards of SPEC §4 over the worker-line figures, at their boundaries.
@Suite("Compliance rules: pay and hours")
struct ComplianceRulesTests {
    @Test(arguments: Tier.allCases)
    func aCompliantReturnHasNoFindings(tier: Tier) throws {
        #expect(try RuleCase(tier).findings() == [])
    }

    @Test func everyStandardOfMigration0004IsKnown() throws {
        let sql = try String(contentsOf: migrationURL(), encoding: .utf8)
        let ids = sql.matches(of: /\('([a-z]+\.[a-z-]+)', '(?:fair|healthy|just|inclusive|governance)'/).map {
            String($0.output.1)
        }
        #expect(ids.count == 24)
        #expect(Set(ids) == Set(ComplianceRules.standardIDs))
        #expect(ComplianceRules.standardIDs.count == 24)
        #expect(CharterFixture.version.standards.map(\.id) == ComplianceRules.standardIDs)
        #expect(ComplianceRules.unknownStandards(in: CharterFixture.version) == [])
    }

    @Test func aStandardThisBuildCannotCheckIsRefused() {
        var version = CharterFixture.version
        version.standards.append(
            CharterFixture.standard("pay.bonus-fairness", .fair, [:], .warning, .warning))
        let rule = RuleCase().with { $0.version = version }
        #expect(ComplianceRules.unknownStandards(in: version) == ["pay.bonus-fairness"])
        #expect { try rule.findings() } throws: { ($0 as? CharterDomainError)?.code == .invalidStandard }
    }

    @Test func aStandardOffForTheTierIsSkipped() throws {
        let version = CharterFixture.version("hours.zero-hours-consent", aspiring: .warning, accredited: .off)
        let rule = RuleCase().with {
            $0.version = version
            $0.figures.zeroHoursWithoutConsent = workers(3)
        }
        #expect(try rule.severity("hours.zero-hours-consent") == nil)
        #expect(try rule.with { $0.tier = .aspiring }.severity("hours.zero-hours-consent") == .warning)
    }

    // MARK: - Minimum wage and Real Living Wage

    @Test(arguments: Tier.allCases)
    func anyWorkerBelowTheMinimumWageIsCritical(tier: Tier) throws {
        let rule = RuleCase(tier).with {
            $0.figures.belowMinimumWage = workers(1, lowestRate: "12.00", shortfall: "0.71")
        }
        let finding = try #require(try rule.findings("pay.minimum-wage").first)
        #expect(finding.severity == .critical)
        #expect(finding.evidence.workers == .exact(1))
        #expect(finding.evidence.workerRefs == ["W001"])
        #expect(finding.evidence.lowestRate == money("12.00"))
        #expect(finding.evidence.largestShortfallPerHour == money("0.71"))
        #expect(
            finding.evidence.minimumWageRates == [
                "21_plus": money("12.71"), "18_20": money("10.85"), "under_18": money("8.00"),
                "apprentice": money("8.00"),
            ])
        #expect(try RuleCase(tier).findings("pay.minimum-wage") == [])
    }

    @Test(arguments: [(Tier.aspiring, Severity.warning), (.accredited, .breach)])
    func belowTheRealLivingWageDependsOnTheTier(tier: Tier, severity: Severity) throws {
        let rule = RuleCase(tier).with { $0.figures.belowRealLivingWage = workers(6, lowestRate: "12.80") }
        let finding = try #require(try rule.findings("pay.real-living-wage").first)
        #expect(finding.severity == severity)
        #expect(finding.evidence.rateInForce == money("13.45"))
        #expect(finding.evidence.londonRateInForce == money("14.80"))
        #expect(finding.evidence.rateYear == "2025-26")
    }

    /// Q1 2026 ends on 31 March, before the 2025-26 rate's deadline of 1 May 2026: the 2024-25 rate
    /// is in force and the announced one is only a note.
    @Test func beforeTheDeadlineTheOldRateIsInForceAndTheNewOneIsANote() throws {
        let rule = RuleCase().with {
            $0.period = ReportingPeriod("2026-Q1")!
            $0.header.period = $0.period
            $0.lateAfter = $0.period.lateAfter(returnDueDays: 30, holidays: BankHolidays([]))
            $0.firstReceivedAt = $0.lateAfter.addingTimeInterval(-60)
            $0.figures.belowRealLivingWage = workers(2, lowestRate: "12.50", shortfall: "0.10")
            $0.figures.belowUpcomingRealLivingWage = workers(9, lowestRate: "12.50", shortfall: "0.95")
        }
        let rlw = try #require(try rule.findings("pay.real-living-wage").first)
        #expect(rlw.evidence.rateInForce == money("12.60"))
        #expect(rlw.evidence.londonRateInForce == money("13.85"))
        let upcoming = try #require(try rule.findings("pay.rlw-uplift-upcoming").first)
        #expect(upcoming.severity == .info)
        #expect(upcoming.evidence.rateInForce == money("13.45"))
        #expect(upcoming.evidence.londonRateInForce == money("14.80"))
        #expect(upcoming.evidence.rateDeadline == day("2026-05-01"))
        #expect(upcoming.evidence.workers == .exact(9))
    }

    @Test func withNoRateUpcomingThereIsNoNote() throws {
        // 2026-Q3: the 2025-26 rate is in force and nothing newer is announced.
        let rule = RuleCase().with { $0.figures.belowUpcomingRealLivingWage = workers(3) }
        #expect(try rule.findings("pay.rlw-uplift-upcoming") == [])
    }

    @Test func theRateInForceChangesOnTheDeadlineDay() throws {
        let criteria = { (date: String) in
            try ReturnFigures.Criteria(
                snapshot: day(date), parameters: [:], rates: RateTable.specDefaults)
        }
        let dayBefore = try criteria("2026-04-30")
        #expect(dayBefore.realLivingWage.uk == money("12.60"))
        #expect(dayBefore.realLivingWage.london == money("13.85"))
        #expect(dayBefore.upcomingRealLivingWage?.uk == money("13.45"))
        let deadline = try criteria("2026-05-01")
        #expect(deadline.realLivingWage.uk == money("13.45"))
        #expect(deadline.realLivingWage.london == money("14.80"))
        #expect(deadline.upcomingRealLivingWage == nil)
        // The minimum wage moves on 1 April.
        #expect(try criteria("2026-03-31").minimumWage[.twentyOnePlus] == money("12.21"))
        #expect(try criteria("2026-04-01").minimumWage[.twentyOnePlus] == money("12.71"))
    }

    @Test func aSnapshotWithNoRateInForceThrows() {
        let noRLW = RateTable(realLivingWage: [], minimumWage: RateTable.specDefaults.minimumWage)
        #expect { try RuleCase().with { $0.rates = noRLW }.findings() } throws: {
            ($0 as? CharterDomainError)?.code == .noRateInForce
        }
        let noMinimum = RateTable(realLivingWage: RateTable.specDefaults.realLivingWage, minimumWage: [])
        #expect { try RuleCase().with { $0.rates = noMinimum }.findings() } throws: {
            ($0 as? CharterDomainError)?.code == .noRateInForce
        }
        // Even a return with nobody below any rate: the check cannot pass without a rate.
        let early = RuleCase().with {
            $0.period = ReportingPeriod("2024-Q1")!
        }
        #expect { try early.findings() } throws: { ($0 as? CharterDomainError)?.code == .noRateInForce }
    }

    // MARK: - RLW plan

    @Test func anAspiringEmployerBelowTheRLWNeedsAPlanWithin24Months() throws {
        let below = RuleCase(.aspiring).with { $0.figures.belowRealLivingWage = workers(5) }
        #expect(try below.severity("pay.rlw-plan") == .breach)  // no target
        let onTime = below.with { $0.header.attestations.rlwPlanTarget = day("2028-09-30") }
        #expect(try onTime.severity("pay.rlw-plan") == nil)
        let tooLate = below.with { $0.header.attestations.rlwPlanTarget = day("2028-10-01") }
        let finding = try #require(try tooLate.findings("pay.rlw-plan").first)
        #expect(finding.severity == .breach)
        #expect(finding.evidence.cutoff == day("2028-09-30"))
        #expect(finding.evidence.attestations == [AttestationFigure("rlw_plan_target", "2028-10-01")])
        // Nobody below: no plan needed.
        #expect(try RuleCase(.aspiring).severity("pay.rlw-plan") == nil)
        // Accredited: off.
        #expect(try below.with { $0.tier = .accredited }.severity("pay.rlw-plan") == nil)
    }

    @Test func aShorterPlanHorizonOverrideMakesTheSameTargetTooLate() throws {
        let rule = RuleCase(.aspiring).with {
            $0.figures.belowRealLivingWage = workers(5)
            $0.header.attestations.rlwPlanTarget = day("2028-09-30")
        }
        #expect(try rule.severity("pay.rlw-plan") == nil)
        let tightened = rule.with {
            $0.overrides = PledgeOverrides(["pay.rlw-plan": ["plan_horizon_months": .number(12)]])
        }
        let finding = try #require(try tightened.findings("pay.rlw-plan").first)
        #expect(finding.evidence.parameters["plan_horizon_months"] == .number(12))
        #expect(finding.evidence.cutoff == day("2027-09-30"))
    }

    // MARK: - Contractors

    func contract(
        _ supplier: String, hours: Double = 3, weeks: Int = 52, paid: Bool = false, milestone: String? = nil,
        service: String = "cleaning"
    ) -> Contractor {
        Contractor(
            supplier: supplier, service: service, workers: 12, hoursPerDay: hours, consecutiveWeeks: weeks,
            rlwPaid: paid, milestone: milestone.map(day))
    }

    func contractorFindings(_ contracts: [Contractor], tier: Tier = .accredited) throws -> [Finding] {
        try RuleCase(tier).with { $0.header.contractors = contracts }.findings("pay.contractor-rlw")
    }

    @Test func aContractIsInScopeFromTwoHoursADayAndEightWeeks() throws {
        #expect(try contractorFindings([contract("A", hours: 2, weeks: 8)]).count == 1)
        #expect(try contractorFindings([contract("A", hours: 1.99, weeks: 52)]) == [])
        #expect(try contractorFindings([contract("A", hours: 2, weeks: 7)]) == [])
        #expect(try contractorFindings([contract("A", paid: true)]) == [])
    }

    @Test func aMilestoneStillAheadOrOnTheSnapshotIsNotYetMissed() throws {
        #expect(try contractorFindings([contract("A", milestone: "2027-04-01")]) == [])
        #expect(try contractorFindings([contract("A", milestone: "2026-09-30")]) == [])
        #expect(try contractorFindings([contract("A", milestone: "2026-09-29")]).count == 1)
        #expect(try contractorFindings([contract("A", milestone: nil)]).count == 1)
    }

    @Test func thereIsOneFindingPerSupplierNamedAsItsSubject() throws {
        let found = try contractorFindings(
            [
                contract("Zed Security", service: "security"), contract("Brightclean Ltd"),
                contract("Brightclean Ltd", service: "windows"), contract("Paid Ltd", paid: true),
            ], tier: .aspiring)
        #expect(found.map(\.subject) == ["Brightclean Ltd", "Zed Security"])
        #expect(found.allSatisfy { $0.severity == .warning })
        #expect(found[0].evidence.contracts?.map(\.service) == ["cleaning", "windows"])
        #expect(found[0].evidence.contracts?.first?.hoursPerDay == 3)
        #expect(try contractorFindings([contract("A")]).first?.severity == .breach)
    }

    @Test func aLowerHoursOverrideBringsShorterContractsIntoScope() throws {
        let short = RuleCase().with { $0.header.contractors = [contract("A", hours: 1.5)] }
        #expect(try short.findings("pay.contractor-rlw") == [])
        let tightened = short.with {
            $0.overrides = PledgeOverrides(["pay.contractor-rlw": ["min_hours_per_day": .number(money("1.5"))]])
        }
        #expect(try tightened.findings("pay.contractor-rlw").count == 1)
    }

    // MARK: - Zero hours

    @Test(arguments: [(Tier.aspiring, Severity.warning), (.accredited, .breach)])
    func zeroHoursWithoutConsent(tier: Tier, severity: Severity) throws {
        let rule = RuleCase(tier).with { $0.figures.zeroHoursWithoutConsent = workers(2) }
        #expect(try rule.severity("hours.zero-hours-consent") == severity)
    }

    @Test func theZeroHoursShareMustBeStrictlyAboveTheThreshold() throws {
        func share(_ zeroHours: Int, of direct: Int) throws -> Finding? {
            try RuleCase().with {
                $0.figures.directWorkers = direct
                $0.figures.directZeroHours = zeroHours
            }.findings("hours.zero-hours-share").first
        }
        #expect(try share(5, of: 100) == nil)  // exactly 5 %
        #expect(try share(500, of: 10_000) == nil)
        let above = try #require(try share(501, of: 10_000))  // 5.01 %
        #expect(above.severity == .warning)
        #expect(above.evidence.sharePercent == money("5.01"))
        #expect(above.evidence.workers == .exact(501))
        #expect(above.evidence.directWorkers == .exact(10_000))
        #expect(try share(1, of: 19) != nil)  // 5.26 %
        #expect(try share(0, of: 0) == nil)
    }

    @Test func aTighterThresholdOverrideFlagsASmallerShare() throws {
        let rule = RuleCase().with {
            $0.figures.directZeroHours = 4
            $0.figures.directWorkers = 100
        }
        #expect(try rule.severity("hours.zero-hours-share") == nil)
        let tightened = rule.with {
            $0.overrides = PledgeOverrides(["hours.zero-hours-share": ["threshold_percent": .number(3)]])
        }
        #expect(try tightened.severity("hours.zero-hours-share") == .warning)
    }

    @Test func aRiseOfExactlyTwoPointsIsFlagged() throws {
        func rise(from previous: Decimal?, zeroHours: Int, of direct: Int) throws -> Finding? {
            try RuleCase().with {
                $0.previousZeroHoursShare = previous
                $0.figures.directZeroHours = zeroHours
                $0.figures.directWorkers = direct
            }.findings("hours.zero-hours-trend").first
        }
        #expect(try rise(from: 3, zeroHours: 5, of: 100)?.severity == .warning)  // 2.00 points
        #expect(try rise(from: money("3.01"), zeroHours: 5, of: 100) == nil)  // 1.99
        #expect(try rise(from: nil, zeroHours: 50, of: 100) == nil)  // no previous period
        #expect(try rise(from: 3, zeroHours: 0, of: 0) == nil)  // no direct workers now
        // 1/3 then 53/150: exactly 2 points apart, though neither share has a finite decimal.
        let third = try #require(ReturnFigures(directWorkers: 3, directZeroHours: 1).zeroHoursSharePercent)
        let finding = try #require(try rise(from: third, zeroHours: 53, of: 150))
        #expect(finding.evidence.sharePercent == money("35.33"))
        #expect(finding.evidence.previousSharePercent == money("33.33"))
        #expect(try rise(from: third, zeroHours: 52, of: 150) == nil)
    }

    // MARK: - Living Hours, actual hours, reviews, agency

    @Test(arguments: Tier.allCases)
    func livingHoursAppliesOnlyWithTheCommitment(tier: Tier) throws {
        let rule = RuleCase(tier).with { $0.figures.belowLivingHours = workers(3) }
        #expect(try rule.severity("hours.living-hours-minimum") == nil)
        #expect(try rule.with { $0.livingHours = true }.severity("hours.living-hours-minimum") == .breach)
    }

    @Test(arguments: [(Tier.aspiring, Severity.warning), (.accredited, .breach)])
    func workerGroupStandardsFollowTheTier(tier: Tier, severity: Severity) throws {
        let rule = RuleCase(tier).with {
            $0.figures.hoursNotReflected = workers(1)
            $0.figures.reviewOverdue = workers(2)
            $0.figures.agencyWithoutParity = workers(7)
        }
        #expect(try rule.severity("hours.reflect-actual") == severity)
        #expect(try rule.severity("hours.review-overdue") == severity)
        #expect(try rule.severity("hours.agency-parity") == severity)
        #expect(try rule.findings("hours.agency-parity").first?.evidence.workers == .exact(7))
    }

    // MARK: - Shifts

    @Test func shiftNoticeIsFlaggedStrictlyAboveTheTolerance() throws {
        func notice(_ short: Int, of scheduled: Int, tier: Tier = .accredited, livingHours: Bool = false) throws
            -> Severity?
        {
            try RuleCase(tier).with {
                $0.livingHours = livingHours
                $0.figures.shiftsScheduled = scheduled
                $0.figures.shiftsShortNotice = short
            }.severity("hours.shift-notice")
        }
        #expect(try notice(5, of: 100) == nil)
        #expect(try notice(501, of: 10_000) == .warning)
        #expect(try notice(0, of: 0) == nil)
        #expect(try notice(6, of: 100, livingHours: true) == .breach)
        #expect(try notice(6, of: 100, tier: .aspiring, livingHours: true) == .warning)
        #expect(try notice(6, of: 100, tier: .aspiring) == .warning)
        let finding = try #require(
            try RuleCase().with {
                $0.figures.shiftsScheduled = 200
                $0.figures.shiftsShortNotice = 13
            }.findings("hours.shift-notice").first)
        #expect(finding.evidence.sharePercent == money("6.5"))
        #expect(finding.evidence.shiftsShortNotice == 13)
    }

    @Test(arguments: [(Tier.aspiring, Severity.warning), (.accredited, .breach)])
    func everyShortNoticeCancellationMustBePaid(tier: Tier, severity: Severity) throws {
        func cancelled(_ count: Int, paid: Int) throws -> Severity? {
            try RuleCase(tier).with {
                $0.figures.shiftsCancelledShortNotice = count
                $0.figures.shiftsCancelledPaid = paid
            }.severity("hours.cancellation-pay")
        }
        #expect(try cancelled(4, paid: 4) == nil)
        #expect(try cancelled(4, paid: 3) == severity)
        #expect(try cancelled(0, paid: 0) == nil)
    }
}

/// The migration that seeds charter version 1, found from this file like the fixtures are.
func migrationURL(filePath: String = #filePath) -> URL {
    URL(fileURLWithPath: filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent()  // CharterDomainTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // the checkout
        .appending(path: "sql/migrations/0004_reference_data.sql")
}

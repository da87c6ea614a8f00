import CharterDomain
import Foundation
import Testing

/// The standards judged from the return's header and receipt (SPEC §4), at their boundaries. The
/// snapshot is 2026-09-30 throughout, so "12 months before" is 2025-09-30.
@Suite("Compliance rules: attestations and governance")
struct ComplianceRulesHeaderTests {
    func attested(_ tier: Tier = .accredited, _ change: (inout Attestations) -> Void) -> RuleCase {
        RuleCase(tier).with { change(&$0.header.attestations) }
    }

    // MARK: - Healthy

    @Test(arguments: [(Tier.aspiring, Severity.warning), (.accredited, .breach)])
    func sickPayMustStartOnDayOne(tier: Tier, severity: Severity) throws {
        #expect(try attested(tier) { $0.sickPayWaitingDays = 0 }.severity("health.sick-pay-day-one") == nil)
        #expect(try attested(tier) { $0.sickPayWaitingDays = 1 }.severity("health.sick-pay-day-one") == severity)
        // Missing is missing data, not a waiting period.
        #expect(try attested(tier) { $0.sickPayWaitingDays = nil }.severity("health.sick-pay-day-one") == nil)
    }

    @Test func thePolicyReviewedExactlyTwelveMonthsBeforeTheSnapshotStillCounts() throws {
        #expect(try attested { $0.hsPolicyReviewedOn = day("2025-09-30") }.severity("health.policy-review") == nil)
        let stale = try #require(
            try attested { $0.hsPolicyReviewedOn = day("2025-09-29") }.findings("health.policy-review").first)
        #expect(stale.severity == .breach)
        #expect(stale.evidence.cutoff == day("2025-09-30"))
        #expect(stale.evidence.attestations == [AttestationFigure("hs_policy_reviewed_on", "2025-09-29")])
    }

    @Test func anAspiringEmployerWithoutAPolicyReviewIsInBreachButOneReviewedLateIsWarned() throws {
        #expect(try attested(.aspiring) { $0.hsPolicyReviewedOn = nil }.severity("health.policy-review") == .breach)
        #expect(
            try attested(.aspiring) { $0.hsPolicyReviewedOn = day("2025-09-29") }.severity("health.policy-review")
                == .warning)
        #expect(try attested(.accredited) { $0.hsPolicyReviewedOn = nil }.severity("health.policy-review") == .breach)
        let missing = try #require(
            try attested(.aspiring) { $0.hsPolicyReviewedOn = nil }.findings("health.policy-review").first)
        #expect(missing.evidence.attestations == [AttestationFigure("hs_policy_reviewed_on", nil)])
    }

    @Test func aShorterReviewIntervalOverrideMakesTheSameReviewStale() throws {
        let rule = attested { $0.hsPolicyReviewedOn = day("2026-02-01") }
        #expect(try rule.severity("health.policy-review") == nil)
        let tightened = rule.with {
            $0.overrides = PledgeOverrides(["health.policy-review": ["interval_months": .number(6)]])
        }
        #expect(try tightened.findings("health.policy-review").first?.evidence.cutoff == day("2026-03-30"))
    }

    // MARK: - Just

    @Test(arguments: Tier.allCases)
    func theUnionNoticeMustBeWithinTwelveMonths(tier: Tier) throws {
        #expect(try attested(tier) { $0.unionRightNoticeOn = day("2025-09-30") }.severity("just.union-access") == nil)
        #expect(
            try attested(tier) { $0.unionRightNoticeOn = day("2025-09-29") }.severity("just.union-access") == .breach)
        #expect(try attested(tier) { $0.unionRightNoticeOn = nil }.severity("just.union-access") == .breach)
    }

    @Test func accreditedEmployersAlsoNeedARecognitionAgreement() throws {
        #expect(try attested(.accredited) { $0.recognitionAgreement = false }.severity("just.union-access") == .breach)
        let missing = try #require(
            try attested(.accredited) { $0.recognitionAgreement = nil }.findings("just.union-access").first)
        #expect(
            missing.evidence.attestations == [
                AttestationFigure("union_right_notice_on", "2026-01-10"),
                AttestationFigure("recognition_agreement", nil),
            ])
        #expect(try attested(.aspiring) { $0.recognitionAgreement = false }.severity("just.union-access") == nil)
        #expect(try attested(.aspiring) { $0.recognitionAgreement = nil }.severity("just.union-access") == nil)
    }

    @Test func aUnionRequestAnsweredOnDayTenIsInTimeAndOnDayElevenLate() throws {
        func replied(_ received: String, _ replied: String?) throws -> Finding? {
            try attested {
                $0.unionRequests = [UnionRequest(receivedOn: day(received), repliedOn: replied.map(day))]
            }.findings("just.union-reply").first
        }
        #expect(try replied("2026-08-01", "2026-08-11") == nil)
        let late = try #require(try replied("2026-08-01", "2026-08-12"))
        #expect(late.severity == .breach)
        #expect(
            late.evidence.unionRequests == [
                UnionRequestFigure(receivedOn: day("2026-08-01"), repliedOn: day("2026-08-12"), days: 11)
            ])
        // Unanswered at the snapshot: 10 days waiting is still in time, 11 is not.
        #expect(try replied("2026-09-20", nil) == nil)
        #expect(try replied("2026-09-19", nil)?.evidence.unionRequests?.first?.days == 11)
        // No requests at all, or the attestation missing: nothing to answer.
        #expect(try attested { $0.unionRequests = [] }.severity("just.union-reply") == nil)
        #expect(try attested { $0.unionRequests = nil }.severity("just.union-reply") == nil)
    }

    @Test func onlyTheLateRequestsAreEvidence() throws {
        let rule = attested(.aspiring) {
            $0.unionRequests = [
                UnionRequest(receivedOn: day("2026-07-01"), repliedOn: day("2026-07-02")),
                UnionRequest(receivedOn: day("2026-07-10"), repliedOn: day("2026-08-10")),
            ]
        }
        let finding = try #require(try rule.findings("just.union-reply").first)
        #expect(finding.severity == .breach)
        #expect(finding.evidence.unionRequests?.map(\.days) == [31])
    }

    @Test func anEmployerOfTenWithNoYoungPeopleOverFourPeriodsIsWarned() throws {
        let none = attested {
            $0.apprentices = 0
            $0.workPlacements = 0
        }.with {
            $0.youngPeopleByPeriod = [
                ReportingPeriod("2026-Q2")!: 0, ReportingPeriod("2026-Q1")!: 0, ReportingPeriod("2025-Q4")!: 0,
                ReportingPeriod("2025-Q3")!: 4,  // five periods back: outside the window
            ]
            $0.header.headcount = 10
        }
        let finding = try #require(try none.findings("just.young-people").first)
        #expect(finding.severity == .warning)
        #expect(finding.evidence.headcount == .exact(10))
        #expect(finding.evidence.periodsConsidered?.map(\.description) == ["2026-Q3", "2026-Q2", "2026-Q1", "2025-Q4"])
        #expect(try none.with { $0.header.headcount = 9 }.severity("just.young-people") == nil)
        #expect(
            try none.with { $0.youngPeopleByPeriod[ReportingPeriod("2025-Q4")!] = 1 }.severity("just.young-people")
                == nil)
        // This period's own header decides this period, whatever the store last recorded for it.
        #expect(
            try none.with {
                $0.header.attestations.workPlacements = 1
                $0.youngPeopleByPeriod[ReportingPeriod("2026-Q3")!] = 0
            }.severity("just.young-people") == nil)
        // Two quarters of look-back: the placement of 2025-Q4 no longer counts.
        let shorter = none.with {
            $0.youngPeopleByPeriod[ReportingPeriod("2025-Q4")!] = 1
            $0.overrides = PledgeOverrides(["just.young-people": ["lookback_periods": .number(2)]])
        }
        #expect(try shorter.severity("just.young-people") == .warning)
    }

    @Test func youngPeopleNeverReportedIsMissingDataNotZero() throws {
        let rule = attested {
            $0.apprentices = nil
            $0.workPlacements = nil
        }
        #expect(try rule.severity("just.young-people") == nil)
        // One of the two given counts for the period.
        #expect(try rule.with { $0.header.attestations.apprentices = 0 }.severity("just.young-people") == .warning)
    }

    // MARK: - Inclusive

    @Test(arguments: [(Tier.aspiring, Severity.warning), (.accredited, .breach)])
    func theEqualityAuditMustBeWithinTwelveMonths(tier: Tier, severity: Severity) throws {
        #expect(
            try attested(tier) { $0.equalityAuditOn = day("2025-09-30") }.severity("inclusive.equality-audit") == nil)
        #expect(
            try attested(tier) { $0.equalityAuditOn = day("2025-09-29") }.severity("inclusive.equality-audit")
                == severity)
        #expect(try attested(tier) { $0.equalityAuditOn = nil }.severity("inclusive.equality-audit") == severity)
    }

    @Test(arguments: [(Tier.aspiring, Severity.warning), (.accredited, .breach)])
    func flexibleWorkingFromDayOneMustBeTrue(tier: Tier, severity: Severity) throws {
        #expect(try attested(tier) { $0.flexibleWorkingDayOne = true }.severity("inclusive.flexible-day-one") == nil)
        #expect(
            try attested(tier) { $0.flexibleWorkingDayOne = false }.severity("inclusive.flexible-day-one") == severity)
        #expect(
            try attested(tier) { $0.flexibleWorkingDayOne = nil }.severity("inclusive.flexible-day-one") == severity)
    }

    // MARK: - Governance

    @Test(arguments: Tier.allCases)
    func aReturnFirstReceivedAfterTheDueDateIsLate(tier: Tier) throws {
        let rule = RuleCase(tier)
        // 2026-Q3 is due on Friday 30 October 2026: late from midnight, London time (GMT by then).
        #expect(rule.lateAfter == instant("2026-10-31T00:00:00Z"))
        let lastSecond = rule.with { $0.firstReceivedAt = instant("2026-10-30T23:59:59Z") }
        #expect(try lastSecond.severity("gov.return-late") == nil)
        let late = try #require(
            try rule.with { $0.firstReceivedAt = instant("2026-10-31T00:00:00Z") }.findings("gov.return-late").first)
        #expect(late.severity == .warning)
        #expect(late.evidence.firstReceivedAt == instant("2026-10-31T00:00:00Z"))
        #expect(late.evidence.lateAfter == instant("2026-10-31T00:00:00Z"))
    }

    @Test(arguments: [(Tier.aspiring, Severity.info), (.accredited, .warning)])
    func plausibilityWarningsAreADataQualityFinding(tier: Tier, severity: Severity) throws {
        let warning = ReturnIssue(.warning, column: "headcount", "the header's headcount is 100 but there are 80 lines")
        let finding = try #require(
            try RuleCase(tier).with { $0.warnings = [warning] }.findings("gov.data-quality").first)
        #expect(finding.severity == severity)
        #expect(finding.evidence.warnings == [warning])
        #expect(try RuleCase(tier).severity("gov.data-quality") == nil)
    }

    @Test func aMissingReturnIsABreachNamingItsDueDate() throws {
        let finding = try #require(
            ComplianceRules.missingReturn(
                period: ReportingPeriod("2026-Q3")!, charterVersion: CharterFixture.version, tier: .aspiring,
                dueDate: day("2026-10-30")))
        #expect(finding.standardID == "gov.return-missing")
        #expect(finding.subject == "")
        #expect(finding.severity == .breach)
        #expect(finding.evidence.dueDate == day("2026-10-30"))
        #expect(finding.evidence.returnVersionID == nil)
        #expect(finding.evidence.charterVersionLabel == "Fair Employment Charter 2026")
        let off = CharterFixture.version("gov.return-missing", aspiring: .off, accredited: .off)
        #expect(
            ComplianceRules.missingReturn(
                period: ReportingPeriod("2026-Q3")!, charterVersion: off, tier: .aspiring, dueDate: day("2026-10-30"))
                == nil)
    }

    @Test func evaluatingAReturnNeverRaisesItsOwnMissingReturn() throws {
        let findings = try RuleCase().with { $0.firstReceivedAt = instant("2027-01-01T00:00:00Z") }.findings()
        #expect(findings.map(\.standardID) == ["gov.return-late"])
    }
}

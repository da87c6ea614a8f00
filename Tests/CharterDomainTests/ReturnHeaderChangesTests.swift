import CharterDomain
import Foundation
import Testing

private func baseHeader() throws -> ReturnHeader {
    let (header, report) = readHeader(specHeader)
    #expect(report.isAccepted, "\(report.errors)")
    return try #require(header)
}

@Suite("Return header change list")
struct ReturnHeaderChangesTests {
    @Test func identicalHeadersHaveNoChanges() throws {
        let header = try baseHeader()
        #expect(header.changedFields(since: header).isEmpty)
        #expect(try baseHeader().changedFields(since: header).isEmpty)
    }

    @Test func aChangedHeadcountIsNamed() throws {
        let before = try baseHeader()
        var after = before
        after.headcount = 413
        #expect(after.changedFields(since: before) == ["headcount"])
    }

    @Test func aChangedPeriodIsNamed() throws {
        let before = try baseHeader()
        var after = before
        after.period = try #require(ReportingPeriod("2026-Q4"))
        #expect(after.changedFields(since: before) == ["period"])
    }

    /// Each attestation changed on its own, including from a value to missing.
    static let attestationChanges: [(String, @Sendable (inout Attestations) -> Void)] = [
        ("hs_policy_reviewed_on", { $0.hsPolicyReviewedOn = CalendarDate(iso: "2026-03-01") }),
        ("equality_audit_on", { $0.equalityAuditOn = nil }),
        ("union_right_notice_on", { $0.unionRightNoticeOn = CalendarDate(iso: "2026-01-11") }),
        ("recognition_agreement", { $0.recognitionAgreement = false }),
        (
            "union_requests",
            {
                $0.unionRequests = [
                    UnionRequest(
                        receivedOn: CalendarDate(iso: "2026-08-01")!, repliedOn: CalendarDate(iso: "2026-08-07"))
                ]
            }
        ),
        ("sick_pay_waiting_days", { $0.sickPayWaitingDays = 3 }),
        ("flexible_working_day_one", { $0.flexibleWorkingDayOne = nil }),
        ("apprentices", { $0.apprentices = 4 }),
        ("work_placements", { $0.workPlacements = 0 }),
        ("rlw_plan_target", { $0.rlwPlanTarget = CalendarDate(iso: "2027-04-01") }),
    ]

    @Test(arguments: 0..<10)
    func eachChangedAttestationIsNamed(index: Int) throws {
        let (name, change) = Self.attestationChanges[index]
        let before = try baseHeader()
        var after = before
        change(&after.attestations)
        #expect(after.changedFields(since: before) == ["attestations.\(name)"])
        // And back again: the change list is symmetric.
        #expect(before.changedFields(since: after) == ["attestations.\(name)"])
    }

    @Test func everyAttestationIsCovered() {
        #expect(Set(Self.attestationChanges.map(\.0)) == Set(Attestations.names))
    }

    @Test func changedContractorsAreNamedOnce() throws {
        let before = try baseHeader()
        var paid = before
        paid.contractors[0].rlwPaid = true
        #expect(paid.changedFields(since: before) == ["contractors"])
        var added = before
        added.contractors.append(
            Contractor(
                supplier: "Safeguard Ltd", service: "security", workers: 4, hoursPerDay: 8, consecutiveWeeks: 10,
                rlwPaid: true, milestone: nil))
        added.contractors[0].workers = 13
        #expect(added.changedFields(since: before) == ["contractors"])
        var none = before
        none.contractors = []
        #expect(none.changedFields(since: before) == ["contractors"])
    }

    @Test func severalChangesAreListedInTheOrderOfTheJSON() throws {
        let before = try baseHeader()
        var after = before
        after.contractors = []
        after.attestations.apprentices = nil
        after.attestations.hsPolicyReviewedOn = nil
        after.headcount = 400
        #expect(
            after.changedFields(since: before) == [
                "headcount", "attestations.hs_policy_reviewed_on", "attestations.apprentices", "contractors",
            ])
    }
}

extension ReturnHeader {
    /// The header fields that differ from an earlier version, named as in the JSON
    /// (`headcount`, `attestations.equality_audit_on`, `contractors`), for a version's change summary.
    public func changedFields(since previous: ReturnHeader) -> [String] {
        var changed: [String] = []
        if period != previous.period { changed.append("period") }
        if headcount != previous.headcount { changed.append("headcount") }
        let now = attestations, before = previous.attestations
        let pairs: [(String, Bool)] = [
            ("hs_policy_reviewed_on", now.hsPolicyReviewedOn != before.hsPolicyReviewedOn),
            ("equality_audit_on", now.equalityAuditOn != before.equalityAuditOn),
            ("union_right_notice_on", now.unionRightNoticeOn != before.unionRightNoticeOn),
            ("recognition_agreement", now.recognitionAgreement != before.recognitionAgreement),
            ("union_requests", now.unionRequests != before.unionRequests),
            ("sick_pay_waiting_days", now.sickPayWaitingDays != before.sickPayWaitingDays),
            ("flexible_working_day_one", now.flexibleWorkingDayOne != before.flexibleWorkingDayOne),
            ("apprentices", now.apprentices != before.apprentices),
            ("work_placements", now.workPlacements != before.workPlacements),
            ("rlw_plan_target", now.rlwPlanTarget != before.rlwPlanTarget),
        ]
        changed += pairs.filter(\.1).map { "attestations.\($0.0)" }
        if contractors != previous.contractors { changed.append("contractors") }
        return changed
    }
}

/// A union's request to the employer and when it was answered (`just.union-reply`).
public struct UnionRequest: Sendable, Hashable, Codable {
    public var receivedOn: CalendarDate
    public var repliedOn: CalendarDate?

    public init(receivedOn: CalendarDate, repliedOn: CalendarDate?) {
        self.receivedOn = receivedOn
        self.repliedOn = repliedOn
    }
}

/// The employer's statements about its policies. Every one is optional: a blank or missing
/// attestation is missing data (a completeness warning), never zero or false.
public struct Attestations: Sendable, Hashable, Codable {
    public var hsPolicyReviewedOn: CalendarDate?
    public var equalityAuditOn: CalendarDate?
    public var unionRightNoticeOn: CalendarDate?
    public var recognitionAgreement: Bool?
    public var unionRequests: [UnionRequest]?
    public var sickPayWaitingDays: Int?
    public var flexibleWorkingDayOne: Bool?
    public var apprentices: Int?
    public var workPlacements: Int?
    public var rlwPlanTarget: CalendarDate?

    public init() {}

    /// The JSON names of every attestation, in the order SPEC §3 lists them.
    public static let names = [
        "hs_policy_reviewed_on", "equality_audit_on", "union_right_notice_on", "recognition_agreement",
        "union_requests", "sick_pay_waiting_days", "flexible_working_day_one", "apprentices", "work_placements",
        "rlw_plan_target",
    ]
}

/// A third-party contract declared in a return (`pay.contractor-rlw`).
public struct Contractor: Sendable, Hashable, Codable {
    public var supplier: String
    public var service: String
    public var workers: Int
    public var hoursPerDay: Double
    public var consecutiveWeeks: Int
    public var rlwPaid: Bool
    public var milestone: CalendarDate?

    public init(
        supplier: String, service: String, workers: Int, hoursPerDay: Double, consecutiveWeeks: Int, rlwPaid: Bool,
        milestone: CalendarDate?
    ) {
        self.supplier = supplier
        self.service = service
        self.workers = workers
        self.hoursPerDay = hoursPerDay
        self.consecutiveWeeks = consecutiveWeeks
        self.rlwPaid = rlwPaid
        self.milestone = milestone
    }
}

/// The header of a quarterly return: period, headcount, attestations and contractors.
public struct ReturnHeader: Sendable, Hashable, Codable {
    public var period: ReportingPeriod
    public var headcount: Int
    public var attestations: Attestations
    public var contractors: [Contractor]

    public init(period: ReportingPeriod, headcount: Int, attestations: Attestations, contractors: [Contractor]) {
        self.period = period
        self.headcount = headcount
        self.attestations = attestations
        self.contractors = contractors
    }
}

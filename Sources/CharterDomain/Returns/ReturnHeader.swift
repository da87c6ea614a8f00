/// A union's request to the employer and when it was answered (`just.union-reply`).
public struct UnionRequest: Sendable, Hashable, Codable {
    public var receivedOn: CalendarDate
    public var repliedOn: CalendarDate?

    public init(receivedOn: CalendarDate, repliedOn: CalendarDate?) {
        self.receivedOn = receivedOn
        self.repliedOn = repliedOn
    }

    enum CodingKeys: String, CodingKey {
        case receivedOn = "received_on"
        case repliedOn = "replied_on"
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

    /// Apprentices and work placements together (`just.young-people`); nil when neither was attested,
    /// which is not knowing, not zero.
    public var youngPeople: Int? {
        apprentices == nil && workPlacements == nil ? nil : (apprentices ?? 0) + (workPlacements ?? 0)
    }

    /// The JSON names of every attestation, in the order SPEC §3 lists them.
    public static let names = CodingKeys.allCases.map(\.rawValue)

    enum CodingKeys: String, CodingKey, CaseIterable {
        case hsPolicyReviewedOn = "hs_policy_reviewed_on"
        case equalityAuditOn = "equality_audit_on"
        case unionRightNoticeOn = "union_right_notice_on"
        case recognitionAgreement = "recognition_agreement"
        case unionRequests = "union_requests"
        case sickPayWaitingDays = "sick_pay_waiting_days"
        case flexibleWorkingDayOne = "flexible_working_day_one"
        case apprentices
        case workPlacements = "work_placements"
        case rlwPlanTarget = "rlw_plan_target"
    }
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

    enum CodingKeys: String, CodingKey {
        case supplier, service, workers
        case hoursPerDay = "hours_per_day"
        case consecutiveWeeks = "consecutive_weeks"
        case rlwPaid = "rlw_paid"
        case milestone
    }
}

// The JSON names are SPEC §3's, spelled out in each type's coding keys: a return header is stored
// and read back with them by plain coders (a key strategy converting every name was two thirds of the
// time the nightly run spent reading headers).

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

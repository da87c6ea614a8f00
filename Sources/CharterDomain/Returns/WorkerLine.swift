public import Foundation

public enum EmploymentType: String, Sendable, Hashable, CaseIterable, Codable {
    case direct, agency, contractor
}

public enum ContractType: String, Sendable, Hashable, CaseIterable, Codable {
    case permanent
    case fixedTerm = "fixed_term"
    case zeroHours = "zero_hours"
    case casual, apprentice, intern, volunteer
}

public enum Sex: String, Sendable, Hashable, CaseIterable, Codable {
    case male, female
}

/// One pseudonymous worker in a return (SPEC §3). Never a name or NI number.
public struct WorkerLine: Sendable, Hashable, Codable {
    public var workerRef: String
    public var employmentType: EmploymentType
    public var contractType: ContractType
    public var ageBand: AgeBand
    public var apprenticeFirstYear: Bool
    public var workplaceLondon: Bool
    public var hourlyRate: Decimal
    public var overtimeRate: Decimal?
    public var contractedHours: Decimal
    public var avgActualHours12w: Decimal?
    public var zhcByRequest: Bool
    public var fewerHoursByRequest: Bool
    public var startDate: CalendarDate
    public var lastHoursReview: CalendarDate?
    public var guaranteedHoursOffered: CalendarDate?
    public var shiftsScheduled: Int
    public var shiftsShortNotice: Int
    public var shiftsCancelledShortNotice: Int
    public var shiftsCancelledPaid: Int
    public var agencyParity: Bool?
    public var sex: Sex?
}

/// The columns of a worker-line CSV, by their header names.
public enum WorkerLineColumn: String, Sendable, Hashable, CaseIterable {
    case workerRef = "worker_ref"
    case employmentType = "employment_type"
    case contractType = "contract_type"
    case ageBand = "age_band"
    case apprenticeFirstYear = "apprentice_first_year"
    case workplaceLondon = "workplace_london"
    case hourlyRate = "hourly_rate"
    case overtimeRate = "overtime_rate"
    case contractedHours = "contracted_hours"
    case avgActualHours12w = "avg_actual_hours_12w"
    case zhcByRequest = "zhc_by_request"
    case fewerHoursByRequest = "fewer_hours_by_request"
    case startDate = "start_date"
    case lastHoursReview = "last_hours_review"
    case guaranteedHoursOffered = "guaranteed_hours_offered"
    case shiftsScheduled = "shifts_scheduled"
    case shiftsShortNotice = "shifts_short_notice"
    case shiftsCancelledShortNotice = "shifts_cancelled_short_notice"
    case shiftsCancelledPaid = "shifts_cancelled_paid"
    case agencyParity = "agency_parity"
    case sex

    /// Columns whose values may be blank may also be left out of the file.
    public var isRequired: Bool {
        switch self {
        case .overtimeRate, .avgActualHours12w, .lastHoursReview, .guaranteedHoursOffered, .agencyParity, .sex,
            .apprenticeFirstYear, .zhcByRequest, .fewerHoursByRequest:
            return false
        default: return true
        }
    }
}

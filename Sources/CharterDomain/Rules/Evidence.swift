public import Foundation

/// The figures behind a finding, and what they were judged with (SPEC §4: "Every flag carries evidence").
///
/// Only the fields a standard has figures for are set; the rest stay nil and are left out of the JSON.
/// Every finding carries the charter version, the parameters used and the return version. What the
/// employer sees is the evidence as made; union reps see `forReps()`, which applies small-number
/// suppression. Encode with `jsonData()` for stable (sorted keys), readable JSON with ISO dates.
public struct Evidence: Sendable, Hashable, Codable {
    // MARK: What it was judged with

    public var charterVersionID: Int64
    public var charterVersionLabel: String
    /// The standard's effective parameters (charter defaults with the pledge's overrides).
    public var parameters: [String: ParameterValue]
    public var period: ReportingPeriod
    /// The return version evaluated; nil for `gov.return-missing`.
    public var returnVersionID: Int64?
    public var returnVersionNumber: Int?

    // MARK: Workers

    /// How many workers the finding is about.
    public var workers: WorkerCount?
    /// Up to 100 of their refs, sorted; nil when hidden from reps.
    public var workerRefs: [String]?

    // MARK: Pay (£ per hour)

    /// The lowest rate paid to a worker concerned (hourly or overtime).
    public var lowestRate: Decimal?
    /// The largest gap between the rate a worker should get and what they are paid.
    public var largestShortfallPerHour: Decimal?
    /// Statutory minimum wage per band (`21_plus`, `18_20`, `under_18`, `apprentice`) in force at the snapshot.
    public var minimumWageRates: [String: Decimal]?
    /// The Real Living Wage (UK) the workers were judged against: in force, or upcoming for the uplift note.
    public var rateInForce: Decimal?
    /// The London rate of the same rate year.
    public var londonRateInForce: Decimal?
    /// The rate year, e.g. `2025-26`.
    public var rateYear: String?
    /// The day that rate must be paid from.
    public var rateDeadline: CalendarDate?

    // MARK: Shares

    /// Direct workers: the denominator of the zero-hours share.
    public var directWorkers: WorkerCount?
    /// The share in percent (zero-hours workers of direct workers; short-notice shifts of shifts), to 2 places.
    public var sharePercent: Decimal?
    /// The employer's previous period's zero-hours share in percent, to 2 places.
    public var previousSharePercent: Decimal?
    public var shiftsScheduled: Int?
    public var shiftsShortNotice: Int?
    public var shiftsCancelledShortNotice: Int?
    public var shiftsCancelledPaid: Int?

    // MARK: Header

    /// The attestations the finding rests on, each with its value as the return gave it (nil: missing).
    public var attestations: [AttestationFigure]?
    /// The date an attested date or target was compared with: the oldest review date that still counts,
    /// or the latest acceptable plan target.
    public var cutoff: CalendarDate?
    /// The contracts of a supplier in scope of `pay.contractor-rlw`.
    public var contracts: [ContractFigure]?
    /// The union requests answered (or unanswered) too late, with the days each took or has waited.
    public var unionRequests: [UnionRequestFigure]?
    public var headcount: WorkerCount?
    /// Apprentices and work placements summed over `periodsConsidered`.
    public var youngPeople: Int?
    public var periodsConsidered: [ReportingPeriod]?

    // MARK: Timeliness and quality

    public var dueDate: CalendarDate?
    public var firstReceivedAt: Date?
    /// The first instant at which a return is late (the end of the due date, Europe/London).
    public var lateAfter: Date?
    /// The plausibility warnings of the accepted return.
    public var warnings: [ReturnIssue]?

    /// Evidence with only the provenance set; rules add their figures.
    public init(
        charterVersionID: Int64, charterVersionLabel: String, parameters: [String: ParameterValue],
        period: ReportingPeriod, returnVersionID: Int64?, returnVersionNumber: Int?
    ) {
        self.charterVersionID = charterVersionID
        self.charterVersionLabel = charterVersionLabel
        self.parameters = parameters
        self.period = period
        self.returnVersionID = returnVersionID
        self.returnVersionNumber = returnVersionNumber
    }

    /// The evidence as union reps see it (SPEC §4): counts of 1–4 workers read "fewer than 5" and
    /// worker refs are hidden, so no rep can single out a worker. The employer sees `self`.
    ///
    /// The lowest rate and the largest shortfall are one worker's pay: they stay only when the finding
    /// is about 5 workers or more, where they cannot be pinned on anyone (with one worker below a rate,
    /// "lowest rate" is that worker's rate). Plausibility warnings lose their line numbers
    /// (`ReturnIssue.forReps`).
    public func forReps() -> Evidence {
        var copy = self
        copy.workers = workers?.suppressed
        copy.directWorkers = directWorkers?.suppressed
        copy.headcount = headcount?.suppressed
        copy.contracts = contracts?.map { contract in
            var contract = contract
            contract.workers = contract.workers.suppressed
            return contract
        }
        copy.workerRefs = nil
        if (workers?.exactCount ?? 0) < 5 {
            copy.lowestRate = nil
            copy.largestShortfallPerHour = nil
        }
        copy.warnings = warnings.map(ReturnIssue.forReps)
        return copy
    }

    /// Stable, readable JSON: sorted keys, ISO 8601 instants, no escaped slashes. The compact form comes from
    /// `compactJSON()`, the same bytes without the encoder.
    public func jsonData(pretty: Bool = false) -> Data {
        if !pretty, let bytes = compactJSON() { return Data(bytes) }
        let encoder = Self.encoder
        if pretty { encoder.outputFormatting.insert(.prettyPrinted) }
        // Every field is a plain value (numbers, strings, dates, lists), which always encode.
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }

    /// Reads what `jsonData()` wrote.
    public init(json: Data) throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        self = try decoder.decode(Evidence.self, from: json)
    }

    /// The encoder behind `jsonData()`, for callers that embed evidence in larger documents.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    enum CodingKeys: String, CodingKey {
        case charterVersionID = "charter_version_id"
        case charterVersionLabel = "charter_version_label"
        case parameters, period
        case returnVersionID = "return_version_id"
        case returnVersionNumber = "return_version_number"
        case workers
        case workerRefs = "worker_refs"
        case lowestRate = "lowest_rate"
        case largestShortfallPerHour = "largest_shortfall_per_hour"
        case minimumWageRates = "minimum_wage_rates"
        case rateInForce = "rate_in_force"
        case londonRateInForce = "london_rate_in_force"
        case rateYear = "rate_year"
        case rateDeadline = "rate_deadline"
        case directWorkers = "direct_workers"
        case sharePercent = "share_percent"
        case previousSharePercent = "previous_share_percent"
        case shiftsScheduled = "shifts_scheduled"
        case shiftsShortNotice = "shifts_short_notice"
        case shiftsCancelledShortNotice = "shifts_cancelled_short_notice"
        case shiftsCancelledPaid = "shifts_cancelled_paid"
        case attestations, cutoff, contracts
        case unionRequests = "union_requests"
        case headcount
        case youngPeople = "young_people"
        case periodsConsidered = "periods_considered"
        case dueDate = "due_date"
        case firstReceivedAt = "first_received_at"
        case lateAfter = "late_after"
        case warnings
    }
}

/// A count of workers as evidence shows it: the number, or "fewer than 5" once suppressed for reps.
public enum WorkerCount: Sendable, Hashable, Codable, CustomStringConvertible {
    case exact(Int)
    /// 1–4 workers, as union reps see it.
    case fewerThanFive

    /// The text a suppressed count reads as, in the JSON and in reports.
    public static let fewerThanFiveText = "fewer than 5"

    /// The number, or nil once suppressed.
    public var exactCount: Int? {
        if case .exact(let count) = self { count } else { nil }
    }

    /// What reps see: 1–4 becomes "fewer than 5"; 0 and 5 or more stay as they are.
    public var suppressed: WorkerCount {
        if case .exact(let count) = self, (1...4).contains(count) { .fewerThanFive } else { self }
    }

    public var description: String {
        switch self {
        case .exact(let count): "\(count)"
        case .fewerThanFive: Self.fewerThanFiveText
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let count = try? container.decode(Int.self) {
            self = .exact(count)
        } else if try container.decode(String.self) == Self.fewerThanFiveText {
            self = .fewerThanFive
        } else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath, debugDescription: "a worker count is a number or \"fewer than 5\""))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .exact(let count): try container.encode(count)
        case .fewerThanFive: try container.encode(Self.fewerThanFiveText)
        }
    }
}

extension WorkerCount: ExpressibleByIntegerLiteral {
    /// An exact count written as a number, as stores and tests compare them (`lineCount == 250`).
    public init(integerLiteral value: Int) {
        self = .exact(value)
    }
}

/// One attestation of the return's header as evidence: its JSON name and value as text (`2025-01-31`,
/// `false`, `3`), nil when the return left it blank or out.
public struct AttestationFigure: Sendable, Hashable, Codable {
    public var name: String
    public var value: String?

    public init(_ name: String, _ value: String?) {
        self.name = name
        self.value = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        // An explicit null says "missing" where leaving the key out would say nothing.
        try container.encode(value, forKey: .value)
    }

    enum CodingKeys: String, CodingKey {
        case name, value
    }
}

/// A union request that waited too long for its reply.
public struct UnionRequestFigure: Sendable, Hashable, Codable {
    public var receivedOn: CalendarDate
    public var repliedOn: CalendarDate?
    /// Days from receipt to the reply, or to the snapshot while unanswered.
    public var days: Int

    public init(receivedOn: CalendarDate, repliedOn: CalendarDate?, days: Int) {
        self.receivedOn = receivedOn
        self.repliedOn = repliedOn
        self.days = days
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(receivedOn, forKey: .receivedOn)
        try container.encode(repliedOn, forKey: .repliedOn)
        try container.encode(days, forKey: .days)
    }

    enum CodingKeys: String, CodingKey {
        case receivedOn = "received_on"
        case repliedOn = "replied_on"
        case days
    }
}

/// A third-party contract as evidence of `pay.contractor-rlw`.
public struct ContractFigure: Sendable, Hashable, Codable {
    public var supplier: String
    public var service: String
    /// The supplier's workers on the contract: a count of workers, suppressed for reps like any other.
    public var workers: WorkerCount
    public var hoursPerDay: Decimal
    public var consecutiveWeeks: Int
    public var rlwPaid: Bool
    /// The date the contract is to pay the Real Living Wage by; nil when the return gives none.
    public var milestone: CalendarDate?

    public init(_ contractor: Contractor) {
        supplier = contractor.supplier
        service = contractor.service
        workers = .exact(contractor.workers)
        hoursPerDay = Decimal(shortestTextOf: contractor.hoursPerDay)
        consecutiveWeeks = contractor.consecutiveWeeks
        rlwPaid = contractor.rlwPaid
        milestone = contractor.milestone
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(supplier, forKey: .supplier)
        try container.encode(service, forKey: .service)
        try container.encode(workers, forKey: .workers)
        try container.encode(hoursPerDay, forKey: .hoursPerDay)
        try container.encode(consecutiveWeeks, forKey: .consecutiveWeeks)
        try container.encode(rlwPaid, forKey: .rlwPaid)
        try container.encode(milestone, forKey: .milestone)
    }

    /// The contract's names in a return (SPEC §3).
    typealias CodingKeys = Contractor.CodingKeys
}

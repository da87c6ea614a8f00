/// Where an application to join the charter, move up a tier or renew stands (SPEC §10 "Application").
public enum ApplicationStatus: String, Sendable, Hashable, CaseIterable, Codable {
    /// Started; the applicant has not yet followed the emailed link that confirms their address.
    case unconfirmed
    /// Being filled in by the applicant.
    case draft
    /// Sent to the charter team for assessment.
    case submitted
    /// The charter team asked for more: back with the applicant, with the questions.
    case moreRequested = "more-requested"
    /// Decided: aspiring, accredited or declined, with reasons.
    case decided

    /// Whether the application is still open (not decided).
    public var isOpen: Bool { self != .decided }

    /// Whether the applicant may change it now: while filling it in, and when asked for more.
    public var isWithApplicant: Bool { self == .draft || self == .moreRequested }

    /// The status in words, for pages and emails.
    public var words: String {
        switch self {
        case .unconfirmed: "waiting for the applicant to confirm their email address"
        case .draft: "being filled in"
        case .submitted: "with the charter team for assessment"
        case .moreRequested: "back with the applicant: the charter team asked for more"
        case .decided: "decided"
        }
    }
}

/// The charter team's decision on an application (SPEC §10 "Assessment").
public enum ApplicationDecision: String, Sendable, Hashable, CaseIterable, Codable {
    case aspiring, accredited, declined

    /// The tier the employer pledges at from the decision date; nil when declined.
    public var tier: Tier? {
        switch self {
        case .aspiring: .aspiring
        case .accredited: .accredited
        case .declined: nil
        }
    }
}

/// The applicant's own view of one standard (the self-assessment).
public enum SelfAssessment: String, Sendable, Hashable, CaseIterable, Codable {
    case met
    /// Not yet met, with a plan and a target date.
    case workingTowards = "working-towards"
    case notApplicable = "not-applicable"

    public var words: String {
        switch self {
        case .met: "Met"
        case .workingTowards: "Working towards"
        case .notApplicable: "Not applicable"
        }
    }
}

/// The charter team's view of one standard of an application.
public enum StandardVerdict: String, Sendable, Hashable, CaseIterable, Codable {
    case accepted
    case needsMore = "needs-more"
    case notAccepted = "not-accepted"

    public var words: String {
        switch self {
        case .accepted: "Accepted"
        case .needsMore: "Needs more"
        case .notAccepted: "Not accepted"
        }
    }
}

/// Something wrong with what an applicant or the charter team entered: the form field it is about and a
/// sentence saying what is wrong, so a page can put it beside the field.
public struct ApplicationProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field's name in the form and the API, e.g. `company_number`, `plan-pay.real-living-wage`.
    public var field: String
    public var message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { message }
}

/// The problems found in a form, all at once, so the applicant can fix them together.
public struct ApplicationProblems: Error, Sendable, Hashable, CustomStringConvertible {
    public var problems: [ApplicationProblem]

    public init(_ problems: [ApplicationProblem]) { self.problems = problems }

    public var description: String { problems.map(\.message).joined(separator: "; ") }
}

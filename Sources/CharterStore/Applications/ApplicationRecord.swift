public import CharterDomain
public import Foundation

/// One application as its pages show it (SPEC §10): who applied, what for, the self-assessment against
/// each standard of its charter version, the evidence, the charter team's reviews and questions, and
/// the decision.
public struct ApplicationRecord: Sendable {
    public var id: Int64
    public var status: ApplicationStatus
    public var applicantName: String
    public var applicantEmail: String
    /// The employer an existing signatory applies for, or the one the approval made or matched.
    public var employerID: Int64?
    public var charterVersionID: Int64
    public var charterVersionLabel: String
    public var details: ApplicationDetails
    /// The standards of the charter version, in order, with the applicant's answer for each (an empty
    /// answer where none is given yet).
    public var standards: [(standard: Standard, answer: StandardAnswer)]
    public var reviews: [String: StandardReview]
    public var requests: [ApplicationRequest]
    public var evidence: [EvidenceSummary]
    public var decision: ApplicationDecision?
    public var reasons: String?
    public var decidedBy: String?
    public var createdAt: Date
    public var submittedAt: Date?
    public var decidedAt: Date?

    /// The question the charter team asked last and the applicant has not answered, if any.
    public var openRequest: ApplicationRequest? { requests.last { $0.answeredAt == nil } }
}

/// The charter team's review of one standard.
public struct StandardReview: Sendable, Hashable {
    public var standardID: String
    public var verdict: StandardVerdict
    public var note: String?
    public var reviewedBy: String
    public var reviewedAt: Date
}

/// The charter team asking the applicant for more, and the answer.
public struct ApplicationRequest: Sendable, Hashable {
    public var id: Int64
    public var questions: String
    public var askedBy: String
    public var askedAt: Date
    public var answer: String?
    public var answeredAt: Date?
}

/// An evidence file as lists show it (never its content).
public struct EvidenceSummary: Sendable, Hashable {
    public var id: Int64
    public var applicationID: Int64
    /// The standard it is evidence for; nil for the application as a whole.
    public var standardID: String?
    public var filename: String
    public var type: EvidenceType
    public var sizeBytes: Int
    /// The SHA-256 of the content, in hex.
    public var sha256: String
    public var uploadedAt: Date
}

/// A line of the charter team's list of applications.
public struct ApplicationSummary: Sendable, Hashable {
    public var id: Int64
    public var status: ApplicationStatus
    public var organisationName: String
    public var companyNumber: String?
    public var tier: Tier?
    public var employerID: Int64?
    public var decision: ApplicationDecision?
    public var createdAt: Date
    public var submittedAt: Date?
}

/// A browser working on one application through the emailed link (the applicant has no account): the
/// application and the CSRF token its forms carry.
public struct ApplicantSession: Sendable, Hashable {
    public var applicationID: Int64
    public var csrfToken: String
}

/// A session just begun: the cookie's secret exists only here and in the browser.
public struct IssuedApplicantSession: Sendable {
    public var cookieValue: String
    public var session: ApplicantSession
    public var expiresAt: Date
}

/// What a decision did: the application, and whether a user was invited.
public struct ApplicationOutcome: Sendable {
    public var application: ApplicationRecord
    public var employerID: Int64?
    public var pledgeID: Int64?
    /// The id of the user invited to set a password, when the applicant had no account.
    public var invitedUserID: Int64?
}

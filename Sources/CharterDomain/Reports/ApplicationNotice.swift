/// An email to an applicant about their application (SPEC §10: every step is emailed to the applicant),
/// kind `application`.
///
/// `confirm` and `moreRequested` carry a one-time link (`path`) that lets the applicant in; the outbox
/// treats every application message as carrying a secret.
public struct ApplicationNotice: Sendable, Hashable, Codable {
    public enum Step: String, Sendable, Hashable, Codable, CaseIterable {
        /// Follow the link to confirm your address and fill in the application.
        case confirm
        /// The application reached the charter team.
        case received
        /// The charter team asks for more: the questions, and a link back.
        case moreRequested = "more-requested"
        /// The decision, with reasons.
        case decided
    }

    public var applicationID: Int64
    public var step: Step
    /// Which occurrence of the step this is (the link's or request's id, the submission's number), so
    /// that each is sent once and a second of the same step is a new message.
    public var serial: Int64
    public var recipient: ReportRecipient
    public var organisation: String
    /// The link's path and query (`/apply/confirm?token=…`) for `confirm` and `moreRequested`.
    public var path: String?
    /// When the link stops working, in words (Europe/London).
    public var expires: String?
    public var questions: String?
    public var decision: ApplicationDecision?
    public var reasons: String?

    public init(
        applicationID: Int64, step: Step, serial: Int64, recipient: ReportRecipient, organisation: String,
        path: String? = nil, expires: String? = nil, questions: String? = nil, decision: ApplicationDecision? = nil,
        reasons: String? = nil
    ) {
        self.applicationID = applicationID
        self.step = step
        self.serial = serial
        self.recipient = recipient
        self.organisation = organisation
        self.path = path
        self.expires = expires
        self.questions = questions
        self.decision = decision
        self.reasons = reasons
    }
}

public import CharterDomain

/// Every operation of the API and web pages that `AccessPolicy` decides on.
///
/// Each case is one thing a person can ask to do; the HTTP layer names the case for its route and
/// the employer the resource belongs to, and asks `AccessPolicy.decide(_:_:employerID:)`.
public enum Action: String, Sendable, Hashable, CaseIterable, Codable {
    /// See employers (name, company number, sector, …).
    case readEmployers
    /// Register or change employers.
    case writeEmployers
    /// See an employer's contacts (names and email addresses).
    case readContacts
    /// Add, change or remove an employer's contacts.
    case writeContacts
    /// See pledges.
    case readPledges
    /// Register or change pledges.
    case writePledges
    /// See reps and which employers they cover.
    case readReps
    /// Register reps or change their coverage.
    case writeReps
    /// See API tokens (prefix, role, expiry; never the secret).
    case readTokens
    /// Create or revoke API tokens.
    case writeTokens
    /// See web users.
    case readUsers
    /// Create, change or disable web users.
    case writeUsers
    /// Submit or amend a quarterly return.
    case submitReturn
    /// See returns, their versions and worker lines.
    case readReturns
    /// See flags and their history.
    case readFlags
    /// Mark a flag as seen.
    case acknowledgeFlag
    /// Answer a flag with an explanation and optional action plan.
    case respondToFlag
    /// Contest a flag.
    case disputeFlag
    /// Close a flag with a note.
    case resolveFlag
    /// Reopen a resolved or disputed flag.
    case reopenFlag
    /// Add a comment to a flag.
    case commentOnFlag
    /// See exemptions.
    case readExemptions
    /// Grant, change or revoke exemptions.
    case writeExemptions
    /// See job runs and their outcomes.
    case readRuns
    /// Start a run (e.g. the nightly compliance run) by hand.
    case triggerRun
    /// See charter versions, their standards and parameters.
    case readCharterVersions
    /// Create or change charter versions.
    case writeCharterVersions
    /// Check the audit log's hash chain.
    case verifyAudit
    /// Judge past returns against a proposed rule change without storing anything.
    case previewRules
    /// Open the charter team's workspace (`/admin`): the charter team and viewers, nobody else.
    case openWorkspace
    /// See the outbox: every message as it was sent, and dead letters with the server's reply.
    case readOutbox
    /// Send a dead or held message again.
    case requeueMail
    /// Read the audit log's entries.
    case readAudit
    /// See the charter's outcome figures (SPEC §11) in full: an employer's own, or (with no employer)
    /// the region's. Everyone, signed in or not, sees the region's with suppression
    /// (`AccessPolicy.outcomesView`).
    case readOutcomes
    /// See applications to join the charter (SPEC §10) and their evidence files: the charter team and
    /// viewers all, an employer its own, a rep those of the employers they cover.
    case readApplications
    /// Apply to the charter for one's own employer (a higher tier, a renewal), or fill in an application.
    case applyToCharter
    /// Review an application's standards, ask the applicant for more, and decide.
    case assessApplications

    /// Whether the thing acted on belongs to one employer.
    public enum Scope: Sendable, Hashable {
        /// Employers, contacts, pledges, returns, flags, exemptions: each belongs to one employer.
        case employer
        /// Reps, tokens, users, runs, charter versions, the audit log, previews: no one employer's.
        case global
    }

    /// Whether the action concerns one employer's data or the whole service.
    public var scope: Scope {
        switch self {
        case .readEmployers, .writeEmployers, .readContacts, .writeContacts, .readPledges, .writePledges,
            .submitReturn, .readReturns, .readFlags, .acknowledgeFlag, .respondToFlag, .disputeFlag, .resolveFlag,
            .reopenFlag, .commentOnFlag, .readExemptions, .writeExemptions, .readOutcomes, .readApplications,
            .applyToCharter:
            .employer
        case .readReps, .writeReps, .readTokens, .writeTokens, .readUsers, .writeUsers, .readRuns, .triggerRun,
            .readCharterVersions, .writeCharterVersions, .verifyAudit, .previewRules, .openWorkspace, .readOutbox,
            .requeueMail, .readAudit, .assessApplications:
            .global
        }
    }

    /// Whether the action only looks: nothing is stored, changed or started.
    ///
    /// A rules preview and an audit verification compute, but change nothing, so they count as reads.
    public var isReadOnly: Bool {
        switch self {
        case .readEmployers, .readContacts, .readPledges, .readReps, .readTokens, .readUsers, .readReturns,
            .readFlags, .readExemptions, .readRuns, .readCharterVersions, .verifyAudit, .previewRules,
            .openWorkspace, .readOutbox, .readAudit, .readOutcomes, .readApplications:
            true
        case .writeEmployers, .writeContacts, .writePledges, .writeReps, .writeTokens, .writeUsers, .submitReturn,
            .acknowledgeFlag, .respondToFlag, .disputeFlag, .resolveFlag, .reopenFlag, .commentOnFlag,
            .writeExemptions, .triggerRun, .writeCharterVersions, .requeueMail, .applyToCharter, .assessApplications:
            false
        }
    }

    /// The flag transition this action asks `FlagTransitions` for, if it is one.
    public var flagAction: FlagAction? {
        switch self {
        case .acknowledgeFlag: .acknowledge
        case .respondToFlag: .respond
        case .disputeFlag: .dispute
        case .resolveFlag: .resolve
        case .reopenFlag: .reopen
        case .commentOnFlag: .comment
        default: nil
        }
    }
}

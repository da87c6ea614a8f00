/// The one place that decides who may do what to which employer's data (SPEC §1, §5, §8).
///
/// Every read and write of the API and web pages asks here, with the employer the resource belongs
/// to; lists ask `visibleEmployers(_:for:)` for the filter the store applies. The policy says *who*
/// may attempt an action on *which* employer. Whether a flag's state allows the action is
/// `FlagTransitions`' decision, and the two agree on the actors: only the employer responds to or
/// disputes its flags; reps and admins acknowledge, resolve and reopen; anyone but a viewer comments.
///
/// The rules:
/// - **admin** — everything, except answering or disputing a flag, which is the employer's voice, and
///   applying to the charter, which is the organisation's own act (the charter team assesses).
/// - **viewer** — reads everything except API tokens and users (security administration, not charter
///   data); changes nothing.
/// - **employer** — its own employer only: reads the employer, contacts, pledges, returns, flags,
///   exemptions and applications; keeps its contacts current; submits returns; responds to, disputes and
///   comments on flags; applies for a higher tier or renews. Reads charter versions, which belong to no
///   employer.
/// - **rep** — covered employers only: reads the employers, pledges, returns, flags, exemptions and
///   applications (with their evidence); acknowledges, resolves, reopens and comments on flags. Reads
///   charter versions.
/// - **applicant** (no account; `decideApplicant`) — reads and fills in the one application whose
///   emailed link they followed, and nothing else.
///
/// An employer-scoped action with no employer (`employerID: nil`, i.e. across all employers) is
/// allowed only to roles that see every employer; employers and reps list through
/// `visibleEmployers(_:for:)` instead. Global actions ignore `employerID`.
public enum AccessPolicy {
    /// Whether `principal` may perform `action` on data belonging to `employerID`.
    ///
    /// - Parameter employerID: the employer the resource belongs to, or nil for an action across all
    ///   employers or one that belongs to no employer (see `Action.scope`).
    public static func decide(_ principal: Principal, _ action: Action, employerID: Int64?) -> AccessDecision {
        switch principal.role {
        case .admin:
            if action == .respondToFlag || action == .disputeFlag { return .denied(reason: employersVoice) }
            if action == .applyToCharter {
                return .denied(reason: "Only an organisation itself applies to the charter; the charter team assesses.")
            }
            return .allowed
        case .viewer:
            if action == .readTokens || action == .readUsers {
                return .denied(reason: "Only the charter team can \(words(action)).")
            }
            return action.isReadOnly ? .allowed : .denied(reason: "A viewer can look but cannot \(words(action)).")
        case .employer:
            guard employerActions.contains(action) else {
                return .denied(reason: "An employer cannot \(words(action)).")
            }
            if action.scope == .global { return .allowed }
            guard let employerID, employerID == principal.employerID else {
                return .denied(reason: "An employer can \(words(action)) only for its own employer.")
            }
            return .allowed
        case .rep:
            if action == .respondToFlag || action == .disputeFlag { return .denied(reason: employersVoice) }
            guard repActions.contains(action) else { return .denied(reason: "A rep cannot \(words(action)).") }
            if action.scope == .global { return .allowed }
            guard let employerID, principal.coveredEmployerIDs.contains(employerID) else {
                return .denied(reason: "A rep can \(words(action)) only for the employers they cover.")
            }
            return .allowed
        }
    }

    /// Whether someone with no account, working on application `sessionApplicationID` through the
    /// emailed link (an applicant's session, SPEC §10), may do `action` on application `applicationID`:
    /// read it and its evidence, and fill it in — that one application only, and nothing else.
    public static func decideApplicant(
        holding sessionApplicationID: Int64, _ action: Action, applicationID: Int64
    ) -> AccessDecision {
        guard action == .readApplications || action == .applyToCharter else {
            return .denied(reason: "An applicant can only see and fill in their own application.")
        }
        guard sessionApplicationID == applicationID else {
            return .denied(reason: "An applicant can \(words(action)) only for their own application.")
        }
        return .allowed
    }

    /// Whether `principal` sees an employer's figures in full — worker_refs, one worker's pay, counts of
    /// 1–4 workers — rather than with small-number suppression (SPEC §4, §8).
    ///
    /// The employer sees its own figures in full, and so do the charter team and viewers; a union rep,
    /// who must be able to trust that a flag is private, sees every figure suppressed (`forReps()` on
    /// evidence, return versions, change summaries and comparisons).
    public static func seesWorkerDetail(_ principal: Principal) -> Bool {
        switch principal.role {
        case .admin, .viewer, .employer: true
        case .rep: false
        }
    }

    /// Which employers' rows `principal` may see when listing for `action`, consistent with `decide`.
    ///
    /// `.all` when the principal may act across all employers, otherwise the principal's own employer or
    /// covered employers on which `decide` allows the action, `.none` if there are none. For a global
    /// action (`Action.scope == .global`) the answer is `.all` or `.none`, whether the action is
    /// allowed at all.
    public static func visibleEmployers(_ principal: Principal, for action: Action) -> EmployerScope {
        if decide(principal, action, employerID: nil).isAllowed { return .all }
        let candidates: Set<Int64>
        switch principal.role {
        case .admin, .viewer: candidates = []
        case .employer: candidates = principal.employerID.map { [$0] } ?? []
        case .rep:
            // `decide` asks of a rep's employer only whether it is covered, so one covered employer
            // answers for all of them (asking a thousand times cost the flag queue more than its query).
            let covered = principal.coveredEmployerIDs
            guard let sample = covered.first, decide(principal, action, employerID: sample).isAllowed else {
                return .none
            }
            guard let repID = principal.repID else { return .only(covered) }
            return .covered(byRep: repID, employers: covered)
        }
        let visible = candidates.filter { decide(principal, action, employerID: $0).isAllowed }
        return visible.isEmpty ? .none : .only(visible)
    }

    /// Which employers `principal` may see at all (the filter for employer lists).
    public static func visibleEmployers(_ principal: Principal) -> EmployerScope {
        visibleEmployers(principal, for: .readEmployers)
    }

    private static let employersVoice = "Only the employer itself can respond to or dispute its flags."

    /// What an employer principal may do, before the own-employer check.
    private static let employerActions: Set<Action> = [
        .readEmployers, .readContacts, .writeContacts, .readPledges, .readReturns, .submitReturn, .readFlags,
        .respondToFlag, .disputeFlag, .commentOnFlag, .readExemptions, .readCharterVersions, .readOutcomes,
        .readApplications, .applyToCharter,
    ]

    /// What a rep principal may do, before the covered-employer check.
    private static let repActions: Set<Action> = [
        .readEmployers, .readPledges, .readReturns, .readFlags, .acknowledgeFlag, .resolveFlag, .reopenFlag,
        .commentOnFlag, .readExemptions, .readCharterVersions, .readOutcomes, .readApplications,
    ]

    /// The action in words for a refusal: "An employer cannot <words>."
    private static func words(_ action: Action) -> String {
        switch action {
        case .readEmployers: "see employers"
        case .writeEmployers: "register or change employers"
        case .readContacts: "see contacts"
        case .writeContacts: "change contacts"
        case .readPledges: "see pledges"
        case .writePledges: "register or change pledges"
        case .readReps: "see reps"
        case .writeReps: "register reps or change their coverage"
        case .readTokens: "see API tokens"
        case .writeTokens: "create or revoke API tokens"
        case .readUsers: "see users"
        case .writeUsers: "create or change users"
        case .submitReturn: "submit returns"
        case .readReturns: "see returns"
        case .readFlags: "see flags"
        case .acknowledgeFlag: "acknowledge flags"
        case .respondToFlag: "respond to flags"
        case .disputeFlag: "dispute flags"
        case .resolveFlag: "resolve flags"
        case .reopenFlag: "reopen flags"
        case .commentOnFlag: "comment on flags"
        case .readExemptions: "see exemptions"
        case .writeExemptions: "grant or revoke exemptions"
        case .readRuns: "see runs"
        case .triggerRun: "start runs"
        case .readCharterVersions: "see charter versions"
        case .writeCharterVersions: "change charter versions"
        case .verifyAudit: "verify the audit log"
        case .previewRules: "preview rule changes"
        case .openWorkspace: "use the charter team's workspace"
        case .readOutbox: "see the outbox"
        case .requeueMail: "send messages again"
        case .readAudit: "read the audit log"
        case .readOutcomes: "see outcome figures in full"
        case .readApplications: "see applications and their evidence"
        case .applyToCharter: "apply to the charter"
        case .assessApplications: "assess or decide applications"
        }
    }
}

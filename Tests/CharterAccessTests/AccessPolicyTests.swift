import CharterAccess
import CharterDomain
import Testing

@Suite("Who may do what to which employer")
struct AccessPolicyTests {
    /// Where an action may be done, seen from one principal.
    enum Target: String, CaseIterable {
        /// The principal's own employer (employer) or one it covers (rep); for admin and viewer, employer 1.
        case own
        /// An employer the principal is not bound to and does not cover; for admin and viewer, employer 2.
        case other
        /// No employer given: across all employers, or a thing that belongs to no employer.
        case all
    }

    /// The expected answers, written out by hand from SPEC §1, §5 and §8 — not derived from the policy.
    ///
    /// Columns: admin, viewer, employer, rep. Each cell lists the targets where the action is allowed;
    /// "-" means nowhere.
    static let table: [(action: Action, admin: String, viewer: String, employer: String, rep: String)] = [
        (.readEmployers, "own other all", "own other all", "own", "own"),
        (.writeEmployers, "own other all", "-", "-", "-"),
        (.readContacts, "own other all", "own other all", "own", "-"),
        (.writeContacts, "own other all", "-", "own", "-"),
        (.readPledges, "own other all", "own other all", "own", "own"),
        (.writePledges, "own other all", "-", "-", "-"),
        (.readReps, "own other all", "own other all", "-", "-"),
        (.writeReps, "own other all", "-", "-", "-"),
        (.readTokens, "own other all", "-", "-", "-"),
        (.writeTokens, "own other all", "-", "-", "-"),
        (.readUsers, "own other all", "-", "-", "-"),
        (.writeUsers, "own other all", "-", "-", "-"),
        (.submitReturn, "own other all", "-", "own", "-"),
        (.readReturns, "own other all", "own other all", "own", "own"),
        (.readFlags, "own other all", "own other all", "own", "own"),
        (.acknowledgeFlag, "own other all", "-", "-", "own"),
        (.respondToFlag, "-", "-", "own", "-"),
        (.disputeFlag, "-", "-", "own", "-"),
        (.resolveFlag, "own other all", "-", "-", "own"),
        (.reopenFlag, "own other all", "-", "-", "own"),
        (.commentOnFlag, "own other all", "-", "own", "own"),
        (.readExemptions, "own other all", "own other all", "own", "own"),
        (.writeExemptions, "own other all", "-", "-", "-"),
        (.readRuns, "own other all", "own other all", "-", "-"),
        (.triggerRun, "own other all", "-", "-", "-"),
        (.readCharterVersions, "own other all", "own other all", "own other all", "own other all"),
        (.writeCharterVersions, "own other all", "-", "-", "-"),
        (.verifyAudit, "own other all", "own other all", "-", "-"),
        (.previewRules, "own other all", "own other all", "-", "-"),
        (.openWorkspace, "own other all", "own other all", "-", "-"),
        (.readOutbox, "own other all", "own other all", "-", "-"),
        (.requeueMail, "own other all", "-", "-", "-"),
        (.readAudit, "own other all", "own other all", "-", "-"),
        (.readOutcomes, "own other all", "own other all", "own", "own"),
        (.readApplications, "own other all", "own other all", "own", "own"),
        (.applyToCharter, "-", "-", "own", "-"),
        (.assessApplications, "own other all", "-", "-", "-"),
    ]

    static func expected(_ action: Action, _ role: Role) -> Set<Target> {
        guard let row = table.first(where: { $0.action == action }) else { return [] }
        let cell =
            switch role {
            case .admin: row.admin
            case .viewer: row.viewer
            case .employer: row.employer
            case .rep: row.rep
            }
        return Set(cell.split(separator: " ").compactMap { Target(rawValue: String($0)) })
    }

    /// The employer principal belongs to employer 1; the rep covers 1 and 3.
    static let principals: [Role: Principal] = [
        .admin: .admin(actor: "user:1"),
        .viewer: .viewer(actor: "user:2"),
        .employer: .employer(1, actor: "user:3"),
        .rep: .rep(7, covering: [1, 3], actor: "token:abcdefgh"),
    ]

    /// The employer ids that stand for each target.
    static func employerIDs(_ target: Target, _ role: Role) -> [Int64?] {
        switch (target, role) {
        case (.own, .rep): [1, 3]
        case (.own, _): [1]
        case (.other, .employer): [2, 3]
        case (.other, _): [2, 4]
        case (.all, _): [nil]
        }
    }

    /// Someone with no account holding application 5's session reads and fills in application 5 only.
    @Test func anApplicantWorksOnTheirOwnApplicationAndNothingElse() {
        for action in Action.allCases {
            let own = AccessPolicy.decideApplicant(holding: 5, action, applicationID: 5).isAllowed
            #expect(own == (action == .readApplications || action == .applyToCharter), "\(action)")
            #expect(!AccessPolicy.decideApplicant(holding: 5, action, applicationID: 6).isAllowed, "\(action)")
        }
    }

    @Test func theTableNamesEveryActionOnce() {
        let named = Self.table.map(\.action)
        #expect(named.count == Set(named).count)
        #expect(Set(named) == Set(Action.allCases))
    }

    @Test func everyRoleActionAndEmployerIsDecidedAsTheTableSays() {
        var leaks: [String] = []
        var refusals: [String] = []
        var checked = 0
        for action in Action.allCases {
            for role in Role.allCases {
                let principal = Self.principals[role]!
                let allowedTargets = Self.expected(action, role)
                for target in Target.allCases {
                    for employerID in Self.employerIDs(target, role) {
                        checked += 1
                        let decision = AccessPolicy.decide(principal, action, employerID: employerID)
                        let shouldAllow = allowedTargets.contains(target)
                        let place = employerID.map { "employer \($0)" } ?? "no employer"
                        if decision.isAllowed && !shouldAllow {
                            leaks.append("\(role) may \(action) on \(place)")
                        } else if !decision.isAllowed && shouldAllow {
                            refusals.append("\(role) may not \(action) on \(place)")
                        }
                    }
                }
            }
        }
        // Per action: admin, viewer and employer 1 + 2 + 1 employer ids, the rep 2 + 2 + 1.
        #expect(checked == Action.allCases.count * 17)
        #expect(leaks.isEmpty, "allowed but should not be: \(leaks)")
        #expect(refusals.isEmpty, "refused but should be allowed: \(refusals)")
    }

    @Test func aRepCoveringNothingSeesNoEmployerData() {
        let rep = Principal.rep(8, covering: [], actor: "user:9")
        for action in Action.allCases where action.scope == .employer {
            for employerID: Int64? in [1, 2, nil] {
                #expect(!AccessPolicy.decide(rep, action, employerID: employerID).isAllowed, "\(action)")
            }
            #expect(AccessPolicy.visibleEmployers(rep, for: action) == .none)
        }
    }

    @Test func listsAreFilteredExactlyAsSingleRowsAreDecided() {
        var principals = Array(Self.principals.values)
        principals.append(.rep(8, covering: [], actor: "user:9"))
        for principal in principals {
            for action in Action.allCases {
                let scope = AccessPolicy.visibleEmployers(principal, for: action)
                if case .only(let ids) = scope { #expect(!ids.isEmpty) }
                if case .covered(_, let ids) = scope { #expect(!ids.isEmpty) }
                for employerID: Int64 in 1...5 {
                    let decided = AccessPolicy.decide(principal, action, employerID: employerID).isAllowed
                    #expect(
                        scope.contains(employerID) == decided,
                        "\(principal.role) \(action) employer \(employerID): list \(scope), row \(decided)")
                }
            }
        }
    }

    @Test func eachRoleSeesTheEmployersItShould() {
        #expect(AccessPolicy.visibleEmployers(.admin(actor: "user:1")) == .all)
        #expect(AccessPolicy.visibleEmployers(.viewer(actor: "user:1")) == .all)
        #expect(AccessPolicy.visibleEmployers(.employer(4, actor: "user:1")) == .only([4]))
        #expect(
            AccessPolicy.visibleEmployers(.rep(1, covering: [2, 5], actor: "user:1"))
                == .covered(byRep: 1, employers: [2, 5]))
        #expect(AccessPolicy.visibleEmployers(.rep(1, covering: [], actor: "user:1")) == .none)
        #expect(AccessPolicy.visibleEmployers(.rep(1, covering: [2], actor: "user:1"), for: .readContacts) == .none)
    }

    /// The policy lets a role attempt a flag action exactly when `FlagTransitions` lets that actor do it
    /// from some state; viewers never act on flags.
    @Test func thePolicyAndTheFlagTransitionsNameTheSameActors() {
        for action in Action.allCases {
            guard let flagAction = action.flagAction else { continue }
            for role in Role.allCases {
                let principal = Self.principals[role]!
                let policyAllows = AccessPolicy.decide(principal, action, employerID: 1).isAllowed
                guard let actor = principal.flagActorRole else {
                    #expect(!policyAllows, "\(role) \(action)")
                    continue
                }
                let transitionsAllow = FlagState.allCases.contains { state in
                    (try? FlagTransitions.apply(flagAction, to: state, by: actor, note: "because")) != nil
                }
                #expect(policyAllows == transitionsAllow, "\(role) \(action)")
            }
        }
    }

    @Test func refusalsAreSentencesThatNameNoEmployer() {
        for principal in Self.principals.values {
            for action in Action.allCases {
                for employerID: Int64? in [1, 2, 3, 987_654, nil] {
                    guard case .denied(let reason) = AccessPolicy.decide(principal, action, employerID: employerID)
                    else { continue }
                    let isSentence = reason.first?.isUppercase == true && reason.hasSuffix(".")
                    let namesANumber = reason.contains { $0.isNumber }
                    #expect(isSentence && !namesANumber, "\(reason)")
                }
            }
        }
    }

    @Test func flagActionsMapToTheirTransitions() {
        #expect(Action.acknowledgeFlag.flagAction == .acknowledge)
        #expect(Action.respondToFlag.flagAction == .respond)
        #expect(Action.disputeFlag.flagAction == .dispute)
        #expect(Action.resolveFlag.flagAction == .resolve)
        #expect(Action.reopenFlag.flagAction == .reopen)
        #expect(Action.commentOnFlag.flagAction == .comment)
        #expect(Action.allCases.filter { $0.flagAction != nil }.count == 6)
    }
}

@Suite("Who sees the charter's outcomes in full")
struct OutcomesViewTests {
    @Test func thePublicRepsAndEmployersSeeTheRegionSuppressedTheCharterTeamInFull() {
        #expect(AccessPolicy.outcomesView(nil) == .suppressed)
        #expect(AccessPolicy.outcomesView(.admin(actor: "user:1")) == .full)
        #expect(AccessPolicy.outcomesView(.viewer(actor: "user:2")) == .full)
        #expect(AccessPolicy.outcomesView(.employer(1, actor: "user:3")) == .suppressed)
        #expect(AccessPolicy.outcomesView(.rep(7, covering: [1, 3], actor: "user:4")) == .suppressed)
    }

    @Test func anEmployersOwnFiguresAreFullForItSuppressedForItsRepsAndHiddenFromOthers() {
        #expect(AccessPolicy.outcomesView(.employer(1, actor: "user:3"), employerID: 1) == .full)
        #expect(AccessPolicy.outcomesView(.employer(1, actor: "user:3"), employerID: 2) == .denied)
        #expect(AccessPolicy.outcomesView(.rep(7, covering: [1, 3], actor: "user:4"), employerID: 3) == .suppressed)
        #expect(AccessPolicy.outcomesView(.rep(7, covering: [1, 3], actor: "user:4"), employerID: 2) == .denied)
        #expect(AccessPolicy.outcomesView(.viewer(actor: "user:2"), employerID: 2) == .full)
        #expect(AccessPolicy.outcomesView(nil, employerID: 1) == .denied)
    }
}

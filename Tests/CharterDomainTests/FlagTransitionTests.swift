import CharterDomain
import Testing

@Suite("Flag review states")
struct FlagTransitionTests {
    func after(_ action: FlagAction, _ state: FlagState, _ role: FlagActorRole, note: String? = "because") throws
        -> FlagState
    {
        try FlagTransitions.apply(action, to: state, by: role, note: note)
    }

    @Test func aRepAcknowledgesAndResolvesWithANote() throws {
        #expect(try after(.acknowledge, .open, .rep) == .acknowledged)
        #expect(try after(.resolve, .acknowledged, .rep) == .resolved)
        #expect(try after(.resolve, .open, .admin) == .resolved)
        #expect(throws: CharterDomainError.self) { try after(.resolve, .acknowledged, .rep, note: "  ") }
        #expect(throws: CharterDomainError.self) { try after(.acknowledge, .open, .employer) }
        #expect(throws: CharterDomainError.self) { try after(.acknowledge, .acknowledged, .rep) }
    }

    @Test func anEmployerDisputesAndARepResolvesOrReopens() throws {
        #expect(try after(.dispute, .open, .employer) == .disputed)
        #expect(try after(.dispute, .acknowledged, .employer) == .disputed)
        #expect(throws: CharterDomainError.self) { try after(.dispute, .open, .employer, note: nil) }
        #expect(throws: CharterDomainError.self) { try after(.dispute, .open, .rep) }
        #expect(throws: CharterDomainError.self) { try after(.dispute, .resolved, .employer) }
        #expect(try after(.resolve, .disputed, .rep) == .resolved)
        #expect(try after(.reopen, .disputed, .rep) == .open)
        #expect(try after(.reopen, .resolved, .admin) == .open)
        #expect(throws: CharterDomainError.self) { try after(.reopen, .open, .rep) }
        #expect(throws: CharterDomainError.self) { try after(.reopen, .resolved, .employer) }
    }

    @Test func responsesAndCommentsLeaveTheStateAlone() throws {
        for state in [FlagState.open, .acknowledged, .disputed] {
            #expect(try after(.respond, state, .employer) == state)
        }
        #expect(throws: CharterDomainError.self) { try after(.respond, .resolved, .employer) }
        #expect(throws: CharterDomainError.self) { try after(.respond, .open, .rep) }
        for state in FlagState.allCases {
            #expect(try after(.comment, state, .rep) == state)
        }
        #expect(throws: CharterDomainError.self) { try after(.comment, .open, .rep, note: "") }
    }

    @Test func theSystemClearsReopensWaivesAndUnwaives() throws {
        for state in [FlagState.open, .acknowledged, .disputed] {
            #expect(try after(.clear, state, .system, note: nil) == .cleared)
            #expect(try after(.waive, state, .system, note: nil) == .waived)
        }
        #expect(throws: CharterDomainError.self) { try after(.clear, .resolved, .system, note: nil) }
        #expect(try after(.reappear, .cleared, .system, note: nil) == .open)
        #expect(throws: CharterDomainError.self) { try after(.reappear, .open, .system, note: nil) }
        #expect(try after(.unwaive, .waived, .system, note: nil) == .open)
        #expect(throws: CharterDomainError.self) { try after(.clear, .open, .rep) }
        #expect(throws: CharterDomainError.self) { try after(.waive, .open, .admin) }
    }

    @Test func exemptionsWaiveEveryFlagStillOpenOrClearedAndUnwaiveOnlyWaivedOnes() {
        let waive = FlagTransitions.moves(of: .waive, by: .system)
        #expect(waive.map(\.from) == [.open, .acknowledged, .disputed, .cleared])
        #expect(waive.allSatisfy { $0.to == .waived })
        let unwaive = FlagTransitions.moves(of: .unwaive, by: .system)
        #expect(unwaive.map(\.from) == [.waived])
        #expect(unwaive.map(\.to) == [.open])
        #expect(FlagTransitions.moves(of: .waive, by: .admin).isEmpty)
    }

    @Test func theRefusalSaysWhatAndWhy() {
        do throws(CharterDomainError) {
            _ = try FlagTransitions.apply(.dispute, to: .resolved, by: .employer, note: "wrong")
            Issue.record("a resolved flag was disputed")
        } catch {
            #expect(error.code == .flagTransitionRefused)
            #expect(error.message.contains("cannot dispute a flag that is resolved"))
        }
    }
}

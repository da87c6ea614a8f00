import CharterAccess
import CharterDomain
import Testing

@Suite("Principals")
struct PrincipalTests {
    /// The error code a stored row with these bindings is refused with, or nil if it is accepted.
    func refusal(
        _ role: Role, employerID: Int64? = nil, repID: Int64? = nil, covering covered: Set<Int64> = []
    ) -> CharterAccessError.Code? {
        do {
            _ = try Principal(role: role, employerID: employerID, repID: repID, coveredEmployerIDs: covered, actor: "a")
            return nil
        } catch {
            return error.code
        }
    }

    @Test func storedRowsThatBindTheirRoleWronglyAreRefused() {
        #expect(refusal(.employer) == .inconsistentPrincipal)
        #expect(refusal(.rep) == .inconsistentPrincipal)
        #expect(refusal(.employer, employerID: 1, repID: 2) == .inconsistentPrincipal)
        #expect(refusal(.employer, employerID: 1, covering: [2]) == .inconsistentPrincipal)
        #expect(refusal(.rep, employerID: 1, repID: 2) == .inconsistentPrincipal)
        #expect(refusal(.admin, employerID: 1) == .inconsistentPrincipal)
        #expect(refusal(.admin, repID: 1) == .inconsistentPrincipal)
        #expect(refusal(.viewer, repID: 1) == .inconsistentPrincipal)
        #expect(refusal(.viewer, covering: [1]) == .inconsistentPrincipal)
        #expect(refusal(.admin) == nil && refusal(.viewer) == nil)
        #expect(refusal(.employer, employerID: 1) == nil && refusal(.rep, repID: 1, covering: [1]) == nil)
    }

    @Test func rowsThatFitTheirRoleMakeThePrincipal() throws {
        let rep = try Principal(role: .rep, repID: 4, coveredEmployerIDs: [1, 2], actor: "user:12")
        #expect(rep == .rep(4, covering: [1, 2], actor: "user:12"))
        #expect(
            try Principal(role: .employer, employerID: 9, actor: "token:abcdefgh")
                == .employer(9, actor: "token:abcdefgh"))
        #expect(try Principal(role: .rep, repID: 4, actor: "user:1").coveredEmployerIDs.isEmpty)
    }

    @Test func rolesReadAsStoredAndActorsReadAsAudited() {
        #expect(Role.allCases.map(\.rawValue) == ["admin", "employer", "rep", "viewer"])
        #expect(Principal.userActor(12) == "user:12")
        #expect(Principal.tokenActor(prefix: "ab12cd34") == "token:ab12cd34")
        #expect(Principal.admin(actor: "x").flagActorRole == .admin)
        #expect(Principal.rep(1, covering: [], actor: "x").flagActorRole == .rep)
        #expect(Principal.employer(1, actor: "x").flagActorRole == .employer)
        #expect(Principal.viewer(actor: "x").flagActorRole == nil)
    }
}

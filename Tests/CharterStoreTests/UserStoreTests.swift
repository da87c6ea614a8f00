import CharterAccess
import CharterStore
import Foundation
import PGClient
import Testing

@Suite("Users, sign-in and sessions in the store", .timeLimit(.minutes(10)))
struct UserStoreTests {
    let fixture: StoreFixture
    /// Few iterations: the tests check behaviour, not the cost of PBKDF2.
    let users: UserStore
    static let password = "correct horse battery staple"

    init() async throws {
        fixture = try await StoreFixture("users")
        users = UserStore(
            pool: fixture.pool, hasher: PasswordHasher(iterations: 1_000),
            throttle: SignInThrottle(maxFailuresPerEmail: 5, maxFailuresPerAddress: 8))
    }

    func admin(_ email: String = "ann@charter.example") async throws -> User {
        try await users.create(
            email: email, displayName: "Ann Admin", role: .admin, employerID: nil, repID: nil, password: Self.password,
            by: "charterctl:root")
    }

    func signedIn(_ result: SignInResult) throws -> SignedInSession {
        guard case .signedIn(let session) = result else { throw CharterStoreError(.invalid, "refused: \(result)") }
        return session
    }

    func refusal(_ result: SignInResult) throws -> SignInRefusal {
        guard case .refused(let refusal) = result else { throw CharterStoreError(.invalid, "not refused") }
        return refusal
    }

    @Test func aUserSignsInAndTheCookieFindsTheirSession() async throws {
        let employer = try await fixture.newEmployer()
        let user = try await users.create(
            email: "Payroll@Wirral.example", displayName: "Pat Payroll", role: .employer, employerID: employer,
            repID: nil, password: Self.password, by: "charterctl:root")
        #expect(try await users.list() == [user])

        let session = try signedIn(
            try await users.signIn(
                email: "payroll@wirral.example ", password: Self.password, remoteAddress: "192.0.2.7"))
        #expect(session.userID == user.id)
        #expect(session.cookie().headerValue.contains("HttpOnly; Secure; SameSite=Strict"))

        let active = try #require(try await users.session(cookieValue: session.token.text))
        #expect(active.principal == Principal.employer(employer, actor: "user:\(user.id)"))
        #expect(active.csrfToken == session.csrfToken)
        #expect(active.displayName == "Pat Payroll")

        // Only the cookie's hash is stored; the password only as a PBKDF2 hash, never in the audit log.
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM sessions WHERE id_hash = \(PGBytes(session.token.storageHash))") == 1)
        #expect(
            try await fixture.count("SELECT count(*) FROM users WHERE password_hash LIKE 'pbkdf2-sha256$1000$%'") == 1)
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM audit_log WHERE details::text LIKE '%pbkdf2%' OR details::text LIKE '%horse%'")
                == 0)
        #expect(
            try await fixture.count(
                """
                SELECT count(*) FROM audit_log
                WHERE action = 'auth.sign-in' AND actor = \("user:\(user.id)") AND details->>'remote_address' = '192.0.2.7'
                """) == 1)
        #expect(try await fixture.count("SELECT count(*) FROM sign_in_attempts WHERE succeeded") == 1)

        #expect(try await users.signOut(cookieValue: session.token.text))
        #expect(try await users.session(cookieValue: session.token.text) == nil)
        #expect(try await users.signOut(cookieValue: session.token.text) == false)
        #expect(try await fixture.count("SELECT count(*) FROM audit_log WHERE action = 'auth.sign-out'") == 1)
    }

    @Test func aWrongPasswordAndAnUnknownEmailGetTheSameAnswer() async throws {
        _ = try await admin()
        let wrong = try refusal(
            try await users.signIn(email: "ann@charter.example", password: "guess", remoteAddress: nil))
        let unknown = try refusal(
            try await users.signIn(email: "nobody@charter.example", password: Self.password, remoteAddress: nil))
        #expect(wrong == unknown)
        #expect(wrong.reason == .wrongEmailOrPassword)
        #expect(wrong.message == "The email or password is not right.")
        #expect(try await fixture.count("SELECT count(*) FROM sign_in_attempts WHERE NOT succeeded") == 2)
        #expect(try await fixture.count("SELECT count(*) FROM audit_log WHERE action LIKE 'auth.%'") == 0)
        #expect(try await fixture.count("SELECT count(*) FROM sessions") == 0)
    }

    @Test func fiveFailuresLockTheEmailUntilTheFirstLeavesTheWindow() async throws {
        _ = try await admin()
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        for second in 0..<5 {
            _ = try refusal(
                try await users.signIn(
                    email: "ann@charter.example", password: "guess \(second)", remoteAddress: "198.51.100.\(second)",
                    now: start + Double(second)))
        }
        // Even the right password is not checked while the email is locked, and the refusal is not recorded.
        let locked = try refusal(
            try await users.signIn(
                email: "ANN@charter.example", password: Self.password, remoteAddress: "203.0.113.1", now: start + 60))
        #expect(locked.reason == .throttled)
        #expect(locked.retryAfter == start + 15 * 60)
        #expect(locked.message == "Too many failed sign-ins; try again in 14 minutes.")
        #expect(try await fixture.count("SELECT count(*) FROM sign_in_attempts") == 5)

        let later = try await users.signIn(
            email: "ann@charter.example", password: Self.password, remoteAddress: "203.0.113.1",
            now: start + 15 * 60)
        #expect(try signedIn(later).expiresAt == start + 15 * 60 + 8 * 60 * 60)
    }

    @Test func failuresFromOneAddressLockThatAddressForEveryEmail() async throws {
        _ = try await admin()
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        for index in 0..<8 {
            _ = try await users.signIn(
                email: "guess\(index)@charter.example", password: "guess", remoteAddress: "198.51.100.9",
                now: start + Double(index))
        }
        let fromThere = try refusal(
            try await users.signIn(
                email: "ann@charter.example", password: Self.password, remoteAddress: "198.51.100.9", now: start + 10))
        #expect(fromThere.reason == .throttled)
        let fromElsewhere = try await users.signIn(
            email: "ann@charter.example", password: Self.password, remoteAddress: "192.0.2.1", now: start + 10)
        _ = try signedIn(fromElsewhere)
    }

    @Test func aDisabledUserCannotSignInAndTheirSessionsEnd() async throws {
        let user = try await admin()
        let session = try signedIn(
            try await users.signIn(email: user.email, password: Self.password, remoteAddress: nil))
        let disabled = try await users.disable(id: user.id, by: "charterctl:root")
        #expect(disabled.disabledAt != nil)
        #expect(try await users.session(cookieValue: session.token.text) == nil)

        let right = try refusal(try await users.signIn(email: user.email, password: Self.password, remoteAddress: nil))
        #expect(right.reason == .disabled)
        let wrong = try refusal(try await users.signIn(email: user.email, password: "guess", remoteAddress: nil))
        #expect(wrong.reason == .wrongEmailOrPassword)
        #expect(try await fixture.count("SELECT count(*) FROM sign_in_attempts WHERE succeeded") == 1)

        let again = await #expect(throws: CharterStoreError.self) { try await users.disable(id: user.id, by: "x") }
        #expect(again?.message == "user \(user.id) is already disabled")
    }

    @Test func anExpiredOrMadeUpCookieFindsNoSession() async throws {
        let user = try await admin()
        let session = try signedIn(
            try await users.signIn(email: user.email, password: Self.password, remoteAddress: nil))
        #expect(try await users.session(cookieValue: session.token.text, now: session.expiresAt - 1) != nil)
        #expect(try await users.session(cookieValue: session.token.text, now: session.expiresAt) == nil)
        #expect(try await users.session(cookieValue: "not-a-session") == nil)
        #expect(try await users.session(cookieValue: SessionToken.generate().text) == nil)
    }

    @Test func aRepUserSeesTheEmployersTheRepCovers() async throws {
        let (a, b) = (try await fixture.newEmployer("A Ltd"), try await fixture.newEmployer("B Ltd"))
        let rep = try await fixture.reps.add(
            name: "Jo", email: "jo@unison.example", unionName: nil, covers: [a, b], actor: "a")
        let user = try await users.create(
            email: "jo@unison.example", displayName: "Jo", role: .rep, employerID: nil, repID: rep.id,
            password: Self.password, by: "charterctl:root")
        let session = try signedIn(
            try await users.signIn(email: user.email, password: Self.password, remoteAddress: nil))
        let principal = try #require(try await users.session(cookieValue: session.token.text)?.principal)
        #expect(principal == Principal.rep(rep.id, covering: [a, b], actor: "user:\(user.id)"))
    }

    @Test func badAccountsAreRefusedWithASentence() async throws {
        let employer = try await fixture.newEmployer()
        _ = try await admin()
        let cases: [(String, String, Role, Int64?, Int64?, String, String)] = [
            (
                "ANN@charter.example", "Ann", .admin, nil, nil, Self.password,
                "ANN@charter.example is already the email of user 1"
            ),
            (
                "pat@x.example", "Pat", .admin, nil, nil, "short",
                "the password is too short: it needs at least 12 characters"
            ),
            (
                "pat", "Pat", .admin, nil, nil, Self.password,
                "\"pat\" is not an email address (it should look like name@example.org)"
            ),
            ("pat@x.example", " ", .admin, nil, nil, Self.password, "a user needs a name to be shown"),
            (
                "pat@x.example", "Pat", .employer, nil, nil, Self.password,
                "an employer user needs the employer it belongs to"
            ),
            ("pat@x.example", "Pat", .rep, nil, 99, Self.password, "there is no rep 99"),
            (
                "pat@x.example", "Pat", .viewer, employer, nil, Self.password,
                "a viewer user sees every employer and cannot be bound to an employer or rep"
            ),
        ]
        for (email, name, role, employerID, repID, password, sentence) in cases {
            let error = await #expect(throws: CharterStoreError.self) {
                try await users.create(
                    email: email, displayName: name, role: role, employerID: employerID, repID: repID,
                    password: password, by: "charterctl:root")
            }
            #expect(error?.message == sentence)
        }
        #expect(try await fixture.count("SELECT count(*) FROM users") == 1)
    }

    @Test func aHashWithFewerIterationsIsReplacedAtSignIn() async throws {
        let user = try await admin()
        let stronger = UserStore(pool: fixture.pool, hasher: PasswordHasher(iterations: 2_000))
        _ = try signedIn(try await stronger.signIn(email: user.email, password: Self.password, remoteAddress: nil))
        #expect(
            try await fixture.count("SELECT count(*) FROM users WHERE password_hash LIKE 'pbkdf2-sha256$2000$%'") == 1)
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM audit_log WHERE action = 'auth.sign-in' AND details->>'password_rehashed' = 'true'"
            )
                == 1)
        _ = try signedIn(try await stronger.signIn(email: user.email, password: Self.password, remoteAddress: nil))
    }
}

public import CharterAccess
import CharterDomain
public import Foundation
public import PGClient

/// Web users: accounts with PBKDF2 password hashes, sign-in with throttling, and sessions stored
/// by the SHA-256 of their cookie value (SPEC §8).
public struct UserStore: Sendable {
    public let pool: PGPool
    /// Hashes new passwords and checks sign-ins; tests pass one with few iterations.
    public let hasher: PasswordHasher
    /// Decides from the recent attempts whether a sign-in may be checked.
    public let throttle: SignInThrottle
    /// How long a session lasts from sign-in. Default 8 hours: a working day.
    public let sessionLifetime: TimeInterval

    /// Fewest characters in a new password (NCSC and NIST both ask for length over composition).
    public static let minimumPasswordLength = 12
    /// Most characters in a password: enough for any passphrase, little enough to hash quickly.
    public static let maximumPasswordLength = 1_024

    public init(
        pool: PGPool, hasher: PasswordHasher = PasswordHasher(), throttle: SignInThrottle = SignInThrottle(),
        sessionLifetime: TimeInterval = 8 * 60 * 60
    ) {
        self.pool = pool
        self.hasher = hasher
        self.throttle = throttle
        self.sessionLifetime = sessionLifetime
    }

    // MARK: Accounts

    /// Creates a user whose password is stored as a PBKDF2 hash.
    ///
    /// An `employer` user names its employer, a `rep` user its rep, admins and viewers neither; an
    /// email already in use (in any case), a blank name and a password shorter than
    /// `minimumPasswordLength` are refused with a sentence. The audit row holds no password or hash.
    public func create(
        email: String, displayName: String, role: Role, employerID: Int64?, repID: Int64?, password: String,
        by actor: String
    ) async throws -> User {
        let (address, displayName) = try Self.checkPerson(
            email: email, displayName: displayName, role: role, employerID: employerID, repID: repID)
        try Self.checkNewPassword(password)
        let hasher = hasher
        let hash = try await KeyDerivationThread.run { try hasher.hash(password: password) }
        do {
            return try await pool.withTransaction { connection in
                try await RoleBinding.check(
                    role: role, employerID: employerID, repID: repID, holder: "user", on: connection)
                let row = try await connection.query(
                    """
                    INSERT INTO users (email, display_name, password_hash, role, employer_id, rep_id)
                    VALUES (\(address.text), \(displayName), \(hash), \(role.rawValue), \(employerID), \(repID))
                    RETURNING \(Self.userColumns)
                    """)[0]
                let user = try Self.user(row)
                var details: [String: any Sendable] = ["email": user.email, "role": role.rawValue]
                if let employerID { details["employer_id"] = employerID }
                if let repID { details["rep_id"] = repID }
                try await AuditTrail.append(
                    on: connection, actor: actor, action: "user.create", entity: "user", entityID: String(user.id),
                    details: details)
                return user
            }
        } catch let error as PGError where error.sqlState == .uniqueViolation {
            let holder = try await pool.withConnection { connection in
                try await connection.query("SELECT id FROM users WHERE lower(email) = lower(\(address.text))")
                    .first.map { "user \(try $0.decode(Int64.self, column: "id"))" }
            }
            throw CharterStoreError(.conflict, "\(address) is already the email of \(holder ?? "another user")")
        }
    }

    /// Every user by email; never a password hash.
    public func list() async throws -> [User] {
        try await pool.withConnection { connection in
            try await connection.query("SELECT \(Self.userColumns) FROM users ORDER BY lower(email), id").map(Self.user)
        }
    }

    /// Disables user `id`: they cannot sign in, and their open sessions end now.
    public func disable(id: Int64, by actor: String) async throws -> User {
        try await pool.withTransaction { connection in
            guard
                let row = try await connection.query(
                    """
                    UPDATE users SET disabled_at = now() WHERE id = \(id) AND disabled_at IS NULL
                    RETURNING \(Self.userColumns)
                    """
                ).first
            else {
                let exists = try await connection.query("SELECT 1 FROM users WHERE id = \(id)").first != nil
                throw CharterStoreError(
                    exists ? .conflict : .notFound, exists ? "user \(id) is already disabled" : "there is no user \(id)"
                )
            }
            let ended = try await connection.execute("DELETE FROM sessions WHERE user_id = \(id)")
            try await AuditTrail.append(
                on: connection, actor: actor, action: "user.disable", entity: "user", entityID: String(id),
                details: ["sessions_ended": ended])
            return try Self.user(row)
        }
    }

    // MARK: Signing in

    /// Checks `email` and `password` and, when they are right, begins a session.
    ///
    /// - A wrong password and an unknown email get the same refusal; for an unknown email the hasher
    ///   still spends a password check's time (`verifyAgainstDecoy`), so timing does not tell them
    ///   apart either.
    /// - `SignInThrottle` decides first, from the recent attempts for the email (any address) and
    ///   from the address (any email). A throttled attempt is refused without a password check and is
    ///   not recorded: recording it as a failure would keep an account locked for as long as someone
    ///   keeps knocking.
    /// - Every checked attempt is recorded in `sign_in_attempts` — as a failure *before* the password
    ///   is checked, so concurrent guesses already count against each other, and turned into a
    ///   success afterwards. Failures are not audited; a successful sign-in is (`auth.sign-in`, actor
    ///   `user:<id>`), in the transaction that stores the session.
    /// - A disabled account is refused once the password is known to be right, and the attempt stays
    ///   a failure.
    /// - A hash made with fewer iterations than the hasher's is replaced on success.
    public func signIn(
        email: String, password: String, remoteAddress: String?, now: Date = Date()
    ) async throws -> SignInResult {
        let typed = String(email.trimmingCharacters(in: .whitespacesAndNewlines).prefix(EmailAddress.maximumLength))
        let since = now.addingTimeInterval(-throttle.window)
        let throttle = throttle
        // One short transaction decides and records, serialised per email by an advisory lock, so two
        // concurrent guesses cannot both be judged against the same history.
        let admitted = try await pool.withTransaction { connection -> Admission in
            try await connection.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended('sign-in:' || lower(\(typed)), 0))")
            let emailAttempts = try await connection.query(
                """
                SELECT email, at, succeeded FROM sign_in_attempts
                WHERE lower(email) = lower(\(typed)) AND at > \(since)
                """
            ).map(Self.attempt)
            var addressAttempts: [SignInAttempt] = []
            if let remoteAddress {
                addressAttempts = try await connection.query(
                    """
                    SELECT email, at, succeeded FROM sign_in_attempts
                    WHERE remote_address = \(remoteAddress) AND at > \(since)
                    """
                ).map(Self.attempt)
            }
            if case .throttled(let until) = throttle.decide(
                emailAttempts: emailAttempts, addressAttempts: addressAttempts, now: now)
            {
                return .throttled(until: until)
            }
            let attemptID = try await connection.query(
                """
                INSERT INTO sign_in_attempts (email, remote_address, at, succeeded)
                VALUES (\(typed), \(remoteAddress), \(now), false) RETURNING id
                """
            )[0].decode(Int64.self, column: "id")
            let account = try await connection.query(
                """
                SELECT id, display_name, password_hash, disabled_at IS NOT NULL AS disabled
                FROM users WHERE lower(email) = lower(\(typed))
                """
            ).first.map { row in
                Account(
                    id: try row.decode(Int64.self, column: "id"),
                    displayName: try row.decode(String.self, column: "display_name"),
                    passwordHash: try row.decode(String?.self, column: "password_hash"),
                    disabled: try row.decode(Bool.self, column: "disabled"))
            }
            return .check(attemptID: attemptID, account: account)
        }
        let (attemptID, account): (Int64, Account?)
        switch admitted {
        case .throttled(let until): return .refused(.throttled(until: until, now: now))
        case .check(let id, let found): (attemptID, account) = (id, found)
        }
        let hasher = hasher
        let passwordIsRight = try await KeyDerivationThread.run {
            guard let account, let stored = account.passwordHash, password.count <= Self.maximumPasswordLength else {
                return hasher.verifyAgainstDecoy(password: password)
            }
            return hasher.verify(password: password, against: stored)
        }
        guard passwordIsRight, let account, let stored = account.passwordHash else {
            return .refused(.wrongEmailOrPassword)
        }
        guard !account.disabled else { return .refused(.disabled) }
        var rehashed: String?
        if hasher.needsRehash(stored) {
            rehashed = try await KeyDerivationThread.run { try hasher.hash(password: password) }
        }

        let token = SessionToken.generate()
        let csrf = CSRFToken.generate()
        let expiresAt = now.addingTimeInterval(sessionLifetime)
        try await pool.withTransaction { connection in
            try await connection.execute("UPDATE sign_in_attempts SET succeeded = true WHERE id = \(attemptID)")
            if let rehashed {
                try await connection.execute("UPDATE users SET password_hash = \(rehashed) WHERE id = \(account.id)")
            }
            // The user's own expired sessions go as a new one starts, so the table does not grow forever.
            try await connection.execute("DELETE FROM sessions WHERE user_id = \(account.id) AND expires_at <= \(now)")
            try await connection.execute(
                """
                INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at)
                VALUES (\(PGBytes(token.storageHash)), \(account.id), \(csrf.text), \(now), \(expiresAt))
                """)
            var details: [String: any Sendable] = ["expires_at": expiresAt.formatted(.iso8601)]
            if let remoteAddress { details["remote_address"] = remoteAddress }
            if rehashed != nil { details["password_rehashed"] = true }
            try await AuditTrail.append(
                on: connection, actor: Principal.userActor(account.id), action: "auth.sign-in", entity: "user",
                entityID: String(account.id), details: details)
        }
        return .signedIn(
            SignedInSession(
                userID: account.id, displayName: account.displayName, token: token, csrfToken: csrf,
                expiresAt: expiresAt))
    }

    /// The live session a request's cookie names, or nil when the value is malformed, unknown or
    /// expired, or the user has been disabled since.
    public func session(cookieValue: String, now: Date = Date()) async throws -> ActiveSession? {
        guard let token = SessionToken(cookieValue: cookieValue) else { return nil }
        return try await pool.withConnection { connection -> ActiveSession? in
            guard
                let row = try await connection.query(
                    PGQuery(
                        """
                        SELECT s.user_id, s.csrf_token, s.expires_at, u.display_name, u.role, u.employer_id, u.rep_id,
                               ARRAY(SELECT c.employer_id FROM rep_coverage c WHERE c.rep_id = u.rep_id
                                     ORDER BY c.employer_id) AS covers
                        FROM sessions s JOIN users u ON u.id = s.user_id
                        WHERE s.id_hash = \(PGBytes(token.storageHash)) AND s.expires_at > \(now)
                          AND u.disabled_at IS NULL
                        """
                    ).prepared()
                ).first
            else { return nil }
            let userID = try row.decode(Int64.self, column: "user_id")
            let csrfText = try row.decode(String.self, column: "csrf_token")
            guard let csrf = CSRFToken(csrfText) else {
                throw CharterStoreError(.invalid, "the session of user \(userID) has a malformed CSRF token")
            }
            let role = try Self.role(try row.decode(String.self, column: "role"), userID: userID)
            let principal = try RoleBinding.principal(
                role: role, employerID: try row.decode(Int64?.self, column: "employer_id"),
                repID: try row.decode(Int64?.self, column: "rep_id"),
                covers: try row.decode([Int64].self, column: "covers"), actor: Principal.userActor(userID))
            return ActiveSession(
                principal: principal, csrfToken: csrf, userID: userID,
                displayName: try row.decode(String.self, column: "display_name"),
                expiresAt: try row.decode(Date.self, column: "expires_at"))
        }
    }

    /// Ends the session the cookie names; false when there was none (already ended, or junk).
    @discardableResult
    public func signOut(cookieValue: String) async throws -> Bool {
        guard let token = SessionToken(cookieValue: cookieValue) else { return false }
        return try await pool.withTransaction { connection in
            guard
                let userID = try await connection.query(
                    "DELETE FROM sessions WHERE id_hash = \(PGBytes(token.storageHash)) RETURNING user_id"
                ).first?.decode(Int64.self, column: "user_id")
            else { return false }
            try await AuditTrail.append(
                on: connection, actor: Principal.userActor(userID), action: "auth.sign-out", entity: "user",
                entityID: String(userID))
            return true
        }
    }

    // MARK: Rows

    /// What the deciding transaction of a sign-in found.
    private enum Admission: Sendable {
        case throttled(until: Date)
        case check(attemptID: Int64, account: Account?)
    }

    /// The account a sign-in names, as far as checking the password needs it.
    private struct Account: Sendable {
        var id: Int64
        var displayName: String
        var passwordHash: String?
        var disabled: Bool
    }

    /// The address and the trimmed name of a new user, or the sentence refusing them: an address mail
    /// could not carry, a blank or too long name, a role bound wrongly (`RoleBinding`).
    static func checkPerson(
        email: String, displayName: String, role: Role, employerID: Int64?, repID: Int64?
    ) throws -> (EmailAddress, String) {
        try TextField.email.check(email)
        guard let address = EmailAddress(email) else {
            throw CharterStoreError(
                .invalid, "\"\(email.excerpt())\" is not an email address (it should look like name@example.org)")
        }
        let displayName = displayName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !displayName.isEmpty else { throw CharterStoreError(.invalid, "a user needs a name to be shown") }
        try TextField.displayName.check(displayName)
        if let problem = RoleBinding.problem(role: role, employerID: employerID, repID: repID, holder: "user") {
            throw CharterStoreError(.invalid, problem)
        }
        return (address, displayName)
    }

    static func checkNewPassword(_ password: String) throws {
        guard password.count >= minimumPasswordLength else {
            throw CharterStoreError(
                .invalid, "the password is too short: it needs at least \(minimumPasswordLength) characters")
        }
        guard password.count <= maximumPasswordLength else {
            throw CharterStoreError(
                .invalid, "the password is too long: it may have at most \(maximumPasswordLength) characters")
        }
    }

    static func attempt(_ row: PGRow) throws -> SignInAttempt {
        SignInAttempt(
            email: try row.decode(String.self, column: "email"), at: try row.decode(Date.self, column: "at"),
            succeeded: try row.decode(Bool.self, column: "succeeded"))
    }

    static func role(_ text: String, userID: Int64) throws -> Role {
        guard let role = Role(rawValue: text) else {
            throw CharterStoreError(.invalid, "user \(userID) has an unknown role \(text)")
        }
        return role
    }

    static let userColumns: PGQuery = "id, email, display_name, role, employer_id, rep_id, disabled_at, created_at"

    static func user(_ row: PGRow) throws -> User {
        let id = try row.decode(Int64.self, column: "id")
        return User(
            id: id, email: try row.decode(String.self, column: "email"),
            displayName: try row.decode(String.self, column: "display_name"),
            role: try role(try row.decode(String.self, column: "role"), userID: id),
            employerID: try row.decode(Int64?.self, column: "employer_id"),
            repID: try row.decode(Int64?.self, column: "rep_id"),
            disabledAt: try row.decode(Date?.self, column: "disabled_at"),
            createdAt: try row.decode(Date.self, column: "created_at"))
    }
}

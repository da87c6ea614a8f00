public import CharterAccess
import CharterDomain
public import Foundation
import PGClient

/// A set-password link just made: its text exists only here and in the email it is queued in.
public struct IssuedPasswordLink: Sendable {
    public var user: User
    /// The secret of the link (`/set-password?token=<text>`); only its SHA-256 is stored.
    public var token: String
    public var expiresAt: Date
}

extension UserStore {
    /// How long an invitation's link works. Seven days: time to find the email after a weekend.
    public static let invitationLifetime: TimeInterval = 7 * 24 * 60 * 60
    /// How long a reset link works: a day.
    public static let resetLifetime: TimeInterval = 24 * 60 * 60

    /// Invites a person: a user with no password yet (who cannot sign in), and an email through the
    /// outbox, in the same transaction, with a one-time link to set one.
    ///
    /// The same checks as `create` (email, name, role and binding) apply; the audit row names the user
    /// and role, never the link.
    public func invite(
        email: String, displayName: String, role: Role, employerID: Int64?, repID: Int64?, by actor: String,
        mail: any ReportQueuing, now: Date = Date()
    ) async throws -> IssuedPasswordLink {
        let (address, displayName) = try Self.checkPerson(
            email: email, displayName: displayName, role: role, employerID: employerID, repID: repID)
        do {
            return try await pool.withTransaction { connection in
                try await Self.invite(
                    address: address, displayName: displayName, role: role, employerID: employerID, repID: repID,
                    by: actor, mail: mail, now: now, on: connection)
            }
        } catch let error as PGError where error.sqlState == .uniqueViolation {
            let holder = try await pool.withConnection { connection in
                try await connection.query("SELECT id FROM users WHERE lower(email) = lower(\(address.text))")
                    .first.map { "user \(try $0.decode(Int64.self, column: "id"))" }
            }
            throw CharterStoreError(.conflict, "\(address) is already the email of \(holder ?? "another user")")
        }
    }

    /// Invites a person inside the caller's transaction; the address, name and binding are checked
    /// already (the binding against the database here).
    static func invite(
        address: EmailAddress, displayName: String, role: Role, employerID: Int64?, repID: Int64?, by actor: String,
        mail: any ReportQueuing, now: Date, on connection: PGConnection
    ) async throws -> IssuedPasswordLink {
        try await RoleBinding.check(role: role, employerID: employerID, repID: repID, holder: "user", on: connection)
        let row = try await connection.query(
            """
            INSERT INTO users (email, display_name, password_hash, role, employer_id, rep_id)
            VALUES (\(address.text), \(displayName), NULL, \(role.rawValue), \(employerID), \(repID))
            RETURNING \(Self.userColumns)
            """)[0]
        let user = try Self.user(row)
        var details: [String: any Sendable] = ["email": user.email, "role": role.rawValue]
        if let employerID { details["employer_id"] = employerID }
        if let repID { details["rep_id"] = repID }
        try await AuditTrail.append(
            on: connection, actor: actor, action: "user.invite", entity: "user", entityID: String(user.id),
            details: details)
        return try await Self.issueLink(
            for: user, purpose: .invitation, by: actor, mail: mail, now: now, on: connection)
    }

    /// Emails user `id` a new link to set a password (the old password works until the link is used);
    /// earlier links of the user stop working.
    public func sendPasswordReset(
        id: Int64, by actor: String, mail: any ReportQueuing, now: Date = Date()
    ) async throws -> IssuedPasswordLink {
        try await pool.withTransaction { connection in
            guard
                let row = try await connection.query(
                    "SELECT \(Self.userColumns) FROM users WHERE id = \(id) FOR UPDATE"
                )
                .first
            else { throw CharterStoreError(.notFound, "there is no user \(id)") }
            let user = try Self.user(row)
            guard user.disabledAt == nil else {
                throw CharterStoreError(.conflict, "user \(id) is disabled; enable them before sending a new link")
            }
            try await AuditTrail.append(
                on: connection, actor: actor, action: "user.reset", entity: "user", entityID: String(id))
            return try await Self.issueLink(for: user, purpose: .reset, by: actor, mail: mail, now: now, on: connection)
        }
    }

    /// Lets disabled user `id` sign in again.
    public func enable(id: Int64, by actor: String) async throws -> User {
        try await pool.withTransaction { connection in
            guard
                let row = try await connection.query(
                    """
                    UPDATE users SET disabled_at = NULL WHERE id = \(id) AND disabled_at IS NOT NULL
                    RETURNING \(Self.userColumns)
                    """
                ).first
            else {
                let exists = try await connection.query("SELECT 1 FROM users WHERE id = \(id)").first != nil
                throw CharterStoreError(
                    exists ? .conflict : .notFound, exists ? "user \(id) is not disabled" : "there is no user \(id)")
            }
            try await AuditTrail.append(
                on: connection, actor: actor, action: "user.enable", entity: "user", entityID: String(id))
            return try Self.user(row)
        }
    }

    /// The user a live link `token` was sent to, or nil when it is not one (unknown, used, replaced,
    /// expired, or its user disabled).
    public func passwordLinkUser(token: String, now: Date = Date()) async throws -> User? {
        guard let secret = SessionToken(cookieValue: token) else { return nil }
        return try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT \(Self.userColumns) FROM users
                WHERE disabled_at IS NULL AND id = (
                    SELECT user_id FROM password_links
                    WHERE token_hash = \(PGBytes(secret.storageHash)) AND used_at IS NULL AND expires_at > \(now))
                """
            ).first.map(Self.user)
        }
    }

    /// Sets the password of the user live link `token` was sent to, and uses the link up; every session of
    /// the user ends (a new password signs out everywhere). A dead link is refused as not found, a
    /// password the rules refuse as invalid, and nothing changes.
    public func setPassword(token: String, password: String, now: Date = Date()) async throws -> User {
        try Self.checkNewPassword(password)
        guard let secret = SessionToken(cookieValue: token) else { throw Self.deadLink }
        let hasher = hasher
        let hash = try await KeyDerivationThread.run { try hasher.hash(password: password) }
        return try await pool.withTransaction { connection in
            guard
                let link = try await connection.query(
                    """
                    UPDATE password_links SET used_at = \(now)
                    WHERE token_hash = \(PGBytes(secret.storageHash)) AND used_at IS NULL AND expires_at > \(now)
                    RETURNING id, user_id, purpose
                    """
                ).first
            else { throw Self.deadLink }
            let userID = try link.decode(Int64.self, column: "user_id")
            guard
                let row = try await connection.query(
                    """
                    UPDATE users SET password_hash = \(hash) WHERE id = \(userID) AND disabled_at IS NULL
                    RETURNING \(Self.userColumns)
                    """
                ).first
            else { throw Self.deadLink }
            let ended = try await connection.execute("DELETE FROM sessions WHERE user_id = \(userID)")
            try await AuditTrail.append(
                on: connection, actor: Principal.userActor(userID), action: "user.set-password", entity: "user",
                entityID: String(userID),
                details: [
                    "link_id": try link.decode(Int64.self, column: "id"),
                    "purpose": try link.decode(String.self, column: "purpose"), "sessions_ended": ended,
                ])
            return try Self.user(row)
        }
    }

    static let deadLink = CharterStoreError(
        .notFound,
        "this link to set a password does not work any more: it was used, replaced by a newer one, or has expired;"
            + " ask the charter team for a new one")

    /// Stores a new link for `user` (ending the user's earlier ones) and queues its email.
    private static func issueLink(
        for user: User, purpose: PasswordLinkNotice.Purpose, by actor: String, mail: any ReportQueuing, now: Date,
        on connection: PGConnection
    ) async throws -> IssuedPasswordLink {
        let secret = SessionToken.generate()
        let expiresAt = now.addingTimeInterval(purpose == .invitation ? invitationLifetime : resetLifetime)
        try await connection.execute(
            "UPDATE password_links SET expires_at = \(now) WHERE user_id = \(user.id) AND used_at IS NULL AND expires_at > \(now)"
        )
        let linkID = try await connection.query(
            """
            INSERT INTO password_links (token_hash, user_id, purpose, created_by, created_at, expires_at)
            VALUES (\(PGBytes(secret.storageHash)), \(user.id), \(purpose.rawValue), \(actor), \(now), \(expiresAt))
            RETURNING id
            """
        )[0].decode(Int64.self, column: "id")
        let notice = PasswordLinkNotice(
            linkID: linkID, purpose: purpose, recipient: ReportRecipient(name: user.displayName, email: user.email),
            role: user.role.rawValue, path: "/set-password?token=\(secret.text)", expires: londonTime(expiresAt))
        guard try await mail.queue(.invitation(notice), on: connection) else {
            throw CharterStoreError(
                .invalid, "the email to \(user.email) could not be made, so nothing was stored; check the address")
        }
        return IssuedPasswordLink(user: user, token: secret.text, expiresAt: expiresAt)
    }

    /// `date` as a person in London reads it, e.g. `13 Dec 2026 at 09:30`.
    static func londonTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London") ?? .gmt
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let month = months[max(0, min(11, (parts.month ?? 1) - 1))]
        return "\(parts.day ?? 1) \(month) \(parts.year ?? 1970) at "
            + String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
    }
}

import CharterAccess
import PGClient

/// The rule of the `CHECK`s on `users` and `api_tokens` — an employer account belongs to exactly one
/// employer, a rep account to one rep, admins and viewers to neither — as sentences, checked before
/// the insert so a person gets a reason instead of a constraint name.
enum RoleBinding {
    /// Why `role` cannot be bound this way, or nil when it can. `holder` is "token" or "user".
    static func problem(role: Role, employerID: Int64?, repID: Int64?, holder: String) -> String? {
        switch role {
        case .employer:
            if employerID == nil { return "an employer \(holder) needs the employer it belongs to" }
            if repID != nil { return "an employer \(holder) belongs to its employer and cannot also name a rep" }
        case .rep:
            if repID == nil { return "a rep \(holder) needs the rep it acts for" }
            if employerID != nil {
                return "a rep \(holder) sees the employers its rep covers and cannot be bound to one employer"
            }
        case .admin, .viewer:
            if employerID != nil || repID != nil {
                let article = role == .admin ? "an admin" : "a viewer"
                return "\(article) \(holder) sees every employer and cannot be bound to an employer or rep"
            }
        }
        return nil
    }

    /// Refuses a binding that does not fit the role, or names an employer or rep that does not exist.
    static func check(
        role: Role, employerID: Int64?, repID: Int64?, holder: String, on connection: PGConnection
    ) async throws {
        if let problem = problem(role: role, employerID: employerID, repID: repID, holder: holder) {
            throw CharterStoreError(.invalid, problem)
        }
        if let employerID,
            try await connection.query("SELECT 1 FROM employers WHERE id = \(employerID)").first == nil
        {
            throw CharterStoreError(.notFound, "there is no employer \(employerID)")
        }
        if let repID, try await connection.query("SELECT 1 FROM reps WHERE id = \(repID)").first == nil {
            throw CharterStoreError(.notFound, "there is no rep \(repID)")
        }
    }

    /// The principal a stored user or token row stands for; a rep's covered employers are read from
    /// `rep_coverage` by the caller's query.
    static func principal(
        role: Role, employerID: Int64?, repID: Int64?, covers: [Int64], actor: String
    ) throws -> Principal {
        try Principal(
            role: role, employerID: employerID, repID: repID,
            coveredEmployerIDs: role == .rep ? Set(covers) : [], actor: actor)
    }
}

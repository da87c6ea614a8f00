/// What a user or API token may do, as stored in `users.role` and `api_tokens.role` (SPEC §8).
public enum Role: String, Sendable, Hashable, CaseIterable, Codable {
    /// The charter team: everything.
    case admin
    /// HR or payroll of one employer: that employer's data only.
    case employer
    /// A union rep: the employers they cover only.
    case rep
    /// Read-only, across all employers.
    case viewer
}

/// The level an employer pledges at (SPEC §2); each standard's severity depends on it.
///
/// Raw values are the strings of the SPEC, the database and the API.
public enum Tier: String, Sendable, Hashable, CaseIterable, Codable {
    /// Audit and plan: gaps are mostly warnings while the employer works towards the standards.
    case aspiring
    /// The standards must already be true: gaps are mostly breaches.
    case accredited
}

/// One standard not met by one return: what the nightly run opens (or keeps open) a flag for.
///
/// Its identity within a period is (`standardID`, `subject`), matching the flag's identity of SPEC §5
/// (employer, standard, period, subject), so re-evaluating the same return gives the same findings.
public struct Finding: Sendable, Hashable, Codable {
    /// The standard's SPEC id, e.g. `pay.real-living-wage`.
    public var standardID: String
    /// What within the return the finding is about: `""` for the return as a whole, the supplier's name
    /// for `pay.contractor-rlw`.
    public var subject: String
    /// The severity for the employer's tier (and commitments); never `off`.
    public var severity: Severity
    /// The figures behind the finding, with the charter version, parameters and return version used.
    public var evidence: Evidence

    public init(standardID: String, subject: String = "", severity: Severity, evidence: Evidence) {
        self.standardID = standardID
        self.subject = subject
        self.severity = severity
        self.evidence = evidence
    }

    enum CodingKeys: String, CodingKey {
        case standardID = "standard_id"
        case subject, severity, evidence
    }
}

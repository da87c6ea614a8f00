public import Foundation

/// An admin-granted exemption from one standard for an employer (SPEC §5).
///
/// While it is in force (not revoked, not past `expiresOn`) the nightly run waives the employer's flags
/// of that standard in the covered periods; when it ends, they are unwaived (`FlagTransitions`).
public struct Exemption: Sendable, Hashable, Codable {
    public var id: Int64
    public var employerID: Int64
    public var standardID: String
    /// First and last period covered; nil = unbounded on that side.
    public var periodFrom: String?
    public var periodTo: String?
    public var reason: String
    public var expiresOn: CalendarDate
    public var grantedBy: String
    public var grantedAt: Date
    public var revokedAt: Date?
    public var revokedBy: String?

    public init(
        id: Int64, employerID: Int64, standardID: String, periodFrom: String?, periodTo: String?, reason: String,
        expiresOn: CalendarDate, grantedBy: String, grantedAt: Date, revokedAt: Date?, revokedBy: String?
    ) {
        self.id = id
        self.employerID = employerID
        self.standardID = standardID
        self.periodFrom = periodFrom
        self.periodTo = periodTo
        self.reason = reason
        self.expiresOn = expiresOn
        self.grantedBy = grantedBy
        self.grantedAt = grantedAt
        self.revokedAt = revokedAt
        self.revokedBy = revokedBy
    }

    enum CodingKeys: String, CodingKey {
        case id
        case employerID = "employer_id"
        case standardID = "standard_id"
        case periodFrom = "period_from"
        case periodTo = "period_to"
        case reason
        case expiresOn = "expires_on"
        case grantedBy = "granted_by"
        case grantedAt = "granted_at"
        case revokedAt = "revoked_at"
        case revokedBy = "revoked_by"
    }
}

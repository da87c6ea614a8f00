public import CharterDomain
public import Foundation

/// One period an employer has sent a return for: how many versions and when the latest came.
public struct ReturnPeriodSummary: Sendable, Hashable, Codable {
    public var employerID: Int64
    public var period: ReportingPeriod
    /// The number of the latest version (versions are numbered from 1 without gaps).
    public var latestVersion: Int
    public var latestReceivedAt: Date

    public init(employerID: Int64, period: ReportingPeriod, latestVersion: Int, latestReceivedAt: Date) {
        self.employerID = employerID
        self.period = period
        self.latestVersion = latestVersion
        self.latestReceivedAt = latestReceivedAt
    }

    enum CodingKeys: String, CodingKey {
        case employerID = "employer_id"
        case period
        case latestVersion = "latest_version"
        case latestReceivedAt = "latest_received_at"
    }
}

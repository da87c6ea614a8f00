public import CharterDomain
import Foundation
import PGClient

/// A flag an exemption waives, as the exemptions page lists it.
public struct WaivedFlag: Sendable, Hashable {
    public var id: Int64
    public var period: String
    public var subject: String
    public var severity: String

    public init(id: Int64, period: String, subject: String, severity: String) {
        self.id = id
        self.period = period
        self.subject = subject
        self.severity = severity
    }
}

extension ExemptionStore {
    /// The flags `exemption` covers that are waived now: its employer's flags on its standard in its
    /// periods (either end open when not given), oldest period first, at most `limit`.
    public func waivedFlags(_ exemption: Exemption, limit: Int = 100) async throws -> [WaivedFlag] {
        try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT id, period, subject, severity FROM flags
                WHERE employer_id = \(exemption.employerID) AND standard_id = \(exemption.standardID)
                  AND state = 'waived'
                  AND (\(exemption.periodFrom)::text IS NULL OR period >= \(exemption.periodFrom))
                  AND (\(exemption.periodTo)::text IS NULL OR period <= \(exemption.periodTo))
                ORDER BY period, subject LIMIT \(limit)
                """
            ).map { row in
                WaivedFlag(
                    id: try row.decode(Int64.self, column: "id"), period: try row.decode(String.self, column: "period"),
                    subject: try row.decode(String.self, column: "subject"),
                    severity: try row.decode(String.self, column: "severity"))
            }
        }
    }
}

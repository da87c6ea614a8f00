import CharterDomain
import Foundation
import PGClient

extension ReturnStore {
    /// Every period employer `employerID` has sent a return for, newest period first.
    public func periods(employerID: Int64) async throws -> [ReturnPeriodSummary] {
        try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT r.period, max(v.version_no) AS latest, max(v.received_at) AS received
                FROM returns r JOIN return_versions v ON v.return_id = r.id
                WHERE r.employer_id = \(employerID)
                GROUP BY r.period ORDER BY r.period DESC
                """
            ).map { row in
                let text = try row.decode(String.self, column: "period")
                guard let period = ReportingPeriod(text) else {
                    throw CharterStoreError(.invalid, "stored period \(text) is not a quarter")
                }
                return ReturnPeriodSummary(
                    employerID: employerID, period: period, latestVersion: try row.decode(Int.self, column: "latest"),
                    latestReceivedAt: try row.decode(Date.self, column: "received"))
            }
        }
    }
}

public import CharterDomain
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

extension ReturnStore {
    /// The returns employer `employerID` still owes on `asOf` — periods of the last four quarters its
    /// pledge covers and it has sent nothing for — with due dates worked out as the reminders work them
    /// out (`ReportGatherer`); oldest period first.
    public func owed(employerID: Int64, asOf: CalendarDate) async throws -> [DueReturn] {
        try await pool.withConnection { connection in
            try await ReportGatherer.dueReturns(
                asOf: asOf, employerIDs: [employerID], withContactsOnly: false, on: connection
            )[employerID]?.map(\.due) ?? []
        }
    }
}

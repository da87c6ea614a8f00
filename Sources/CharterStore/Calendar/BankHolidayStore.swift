public import CharterDomain
import Foundation
public import PGClient

/// The bank holidays (data, not code: SPEC §2), listed and added to by the charter team.
public struct BankHolidayStore: Sendable {
    public let pool: PGPool

    public init(pool: PGPool) {
        self.pool = pool
    }

    /// Every bank holiday, in date order, with its name.
    public func list() async throws -> [(date: CalendarDate, name: String)] {
        try await pool.withConnection { connection in
            try await connection.query("SELECT date::text AS d, name FROM bank_holidays ORDER BY date").compactMap {
                row in
                guard let date = CalendarDate(iso: try row.decode(String.self, column: "d")) else { return nil }
                return (date, try row.decode(String.self, column: "name"))
            }
        }
    }

    /// Adds the bank holiday `name` on `date` (England and Wales); a date already listed is a conflict.
    public func add(date: CalendarDate, name: String, actor: String) async throws {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw CharterStoreError(.invalid, "a bank holiday needs a name") }
        guard name.count <= 100 else {
            throw CharterStoreError(.invalid, "a bank holiday's name is at most 100 characters")
        }
        try await pool.withTransaction { connection in
            do {
                try await connection.execute(
                    "INSERT INTO bank_holidays (date, name) VALUES (\(date.description)::date, \(name))")
            } catch let error as PGError where error.sqlState == .uniqueViolation {
                throw CharterStoreError(.conflict, "\(date) is already a bank holiday")
            }
            try await AuditTrail.append(
                on: connection, actor: actor, action: "bank_holiday.add", entity: "bank_holiday",
                entityID: date.description, details: ["name": name])
        }
    }
}

public import CharterDomain
public import PGClient

extension BankHolidays {
    /// Every bank holiday the database holds (data, not code: SPEC §2).
    public static func load(on connection: PGConnection) async throws -> BankHolidays {
        BankHolidays(
            try await connection.query("SELECT date::text AS d FROM bank_holidays").compactMap {
                CalendarDate(iso: try $0.decode(String.self, column: "d"))
            })
    }
}

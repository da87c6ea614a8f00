public import CharterDomain
import Foundation
public import PGClient

/// Reads the public register (SPEC §10): every employer with a pledge in force on a day, with its tier,
/// the day that pledge began, and its sector. It reads employers and pledges only — never returns,
/// flags or workers.
public struct RegisterStore: Sendable {
    public let pool: PGPool

    public init(pool: PGPool) {
        self.pool = pool
    }

    /// The signatories on `day`, by name; with `search`, those whose name or company number holds it
    /// (any case).
    public func entries(on day: CalendarDate, search: String? = nil) async throws -> [RegisterEntry] {
        let pattern = search.map { "%" + EmployerStore.escapeLike($0) + "%" }
        return try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT e.name, e.company_number, e.sector, p.tier, p.valid_from::text AS pledged_on
                FROM pledges p JOIN employers e ON e.id = p.employer_id
                WHERE p.valid_from <= \(day.description)::date AND (p.valid_to IS NULL OR p.valid_to > \(day.description)::date)
                  AND (\(pattern)::text IS NULL OR e.name ILIKE \(pattern) OR e.company_number ILIKE \(pattern))
                ORDER BY lower(e.name), e.id
                """
            ).map(Self.entry)
        }
    }

    /// The signatory with `number` on `day`, or nil when that company has no pledge in force.
    public func entry(companyNumber number: CompanyNumber, on day: CalendarDate) async throws -> RegisterEntry? {
        try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT e.name, e.company_number, e.sector, p.tier, p.valid_from::text AS pledged_on
                FROM pledges p JOIN employers e ON e.id = p.employer_id
                WHERE p.valid_from <= \(day.description)::date AND (p.valid_to IS NULL OR p.valid_to > \(day.description)::date)
                  AND e.company_number = \(number.value)
                """
            ).first.map(Self.entry)
        }
    }

    private static func entry(_ row: PGRow) throws -> RegisterEntry {
        let sector = try row.decode(String.self, column: "sector")
        let tier = try row.decode(String.self, column: "tier")
        let pledged = try row.decode(String.self, column: "pledged_on")
        guard let sectorValue = Sector(rawValue: sector), let tierValue = Tier(rawValue: tier),
            let pledgedOn = CalendarDate(iso: pledged)
        else {
            throw CharterStoreError(.invalid, "a stored pledge has a sector, tier or start the register cannot read")
        }
        return RegisterEntry(
            name: try row.decode(String.self, column: "name"),
            companyNumber: try row.decode(String?.self, column: "company_number").flatMap { CompanyNumber($0) },
            sector: sectorValue, tier: tierValue, pledgedOn: pledgedOn)
    }
}

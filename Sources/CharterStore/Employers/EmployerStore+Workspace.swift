public import CharterDomain
import PGClient

/// What the charter team's employer list is filtered by.
public struct EmployerFilter: Sendable, Hashable {
    /// Text in the name, or in the company number (any case).
    public var search: String?
    public var sector: Sector?
    /// The tier of the pledge in force on `asOf`; `.noPledge` for employers with no pledge in force.
    public var pledge: PledgeInForce?
    /// The day "in force" is judged on.
    public var asOf: CalendarDate

    /// Which pledge an employer has in force.
    public enum PledgeInForce: String, Sendable, Hashable, CaseIterable {
        case aspiring, accredited
        case noPledge = "none"
    }

    public init(search: String? = nil, sector: Sector? = nil, pledge: PledgeInForce? = nil, asOf: CalendarDate) {
        self.search = search
        self.sector = sector
        self.pledge = pledge
        self.asOf = asOf
    }
}

/// An employer in the charter team's list, with the pledge it has in force.
public struct EmployerListRow: Sendable, Hashable {
    public var employer: Employer
    /// The tier of the pledge in force; nil when none is.
    public var tier: String?
    public var livingHours: Bool
}

extension EmployerStore {
    /// One page of employers matching `filter`, by name, and how many match in all.
    ///
    /// The pledges in force are read in one pass and joined, not looked up employer by employer: at 10,000
    /// employers the per-employer look-up (the exclusion constraint's GiST index, then a sort) took 123 ms
    /// for the count and 146 ms for a page, the join 2 ms and 35 ms (EXPLAIN ANALYZE, charter-bench workspace).
    public func page(_ filter: EmployerFilter, offset: Int, limit: Int) async throws -> (
        rows: [EmployerListRow], total: Int
    ) {
        let pattern = filter.search.map { "%" + Self.escapeLike($0) + "%" }
        let sector = filter.sector?.rawValue
        let pledge = filter.pledge?.rawValue
        let day = filter.asOf.description
        return try await pool.withConnection { connection in
            var query: PGQuery = """
                SELECT e.id, e.name, e.company_number, e.gpg_employer_id, e.sic_codes, e.size_band, e.sector,
                       e.has_london_workplaces, e.address, e.postcode, p.tier, coalesce(p.living_hours, false) AS lh
                FROM employers e
                LEFT JOIN (
                    SELECT DISTINCT ON (employer_id) employer_id, tier, living_hours FROM pledges
                    WHERE valid_from <= \(day)::date AND (valid_to IS NULL OR valid_to > \(day)::date)
                    ORDER BY employer_id, valid_from DESC
                ) p ON p.employer_id = e.id
                WHERE (\(pattern)::text IS NULL OR e.name ILIKE \(pattern) OR e.company_number ILIKE \(pattern))
                  AND (\(sector)::text IS NULL OR e.sector = \(sector))
                  AND (\(pledge)::text IS NULL OR (\(pledge) = 'none' AND p.tier IS NULL) OR p.tier = \(pledge))
                """
            let total = try await connection.query("SELECT count(*) AS n FROM (\(query)) matching")[0]
                .decode(Int64.self, column: "n")
            query.append(" ORDER BY lower(e.name), e.id LIMIT \(limit) OFFSET \(offset)")
            let rows = try await connection.query(query).map { row in
                EmployerListRow(
                    employer: try Self.employer(row), tier: try row.decode(String?.self, column: "tier"),
                    livingHours: try row.decode(Bool.self, column: "lh"))
            }
            return (rows, Int(total))
        }
    }

    /// Changes an employer's name, company number, sector and London flag (what the charter team keeps;
    /// the GPG fields stay as the last import left them). A company number another employer holds is a
    /// conflict naming that employer; changing nothing stores and records nothing.
    public func update(
        id: Int64, name: String, companyNumber: CompanyNumber?, sector: Sector, hasLondonWorkplaces: Bool,
        actor: String
    ) async throws -> Employer {
        guard var employer = try await find(id: id) else {
            throw CharterStoreError(.notFound, "there is no employer \(id)")
        }
        let before = employer
        employer.name = name
        employer.companyNumber = companyNumber
        employer.sector = sector
        employer.hasLondonWorkplaces = hasLondonWorkplaces
        try employer.checkText()
        guard employer != before else { return employer }
        do {
            return try await pool.withTransaction { connection in
                try await Self.update(before, to: employer, actor: actor, on: connection)
                return employer
            }
        } catch let error as PGError where error.sqlState == .uniqueViolation {
            let holder = try await pool.withConnection { connection in
                try await connection.query(
                    "SELECT id, name FROM employers WHERE company_number = \(companyNumber?.value) AND id <> \(id)"
                ).first.map {
                    "employer \(try $0.decode(Int64.self, column: "id")) (\(try $0.decode(String.self, column: "name")))"
                }
            }
            throw CharterStoreError(
                .conflict,
                "company number \(companyNumber?.value ?? "") is already registered to \(holder ?? "another employer")")
        }
    }

    /// Writes `employer` over `before` (employer `before.id` as read in this transaction): its name, company
    /// number, size band, sector and London flag. Audited as `employer.update` with the fields that changed
    /// and `context` (why, e.g. the application decided); changing nothing writes and records nothing.
    static func update(
        _ before: Employer, to employer: Employer, actor: String, context: [String: any Sendable] = [:],
        on connection: PGConnection
    ) async throws {
        guard let id = before.id else { throw CharterStoreError(.notFound, "an employer not yet stored") }
        guard employer != before else { return }
        let changed = try await connection.execute(
            """
            UPDATE employers SET name = \(employer.name), company_number = \(employer.companyNumber?.value),
                   size_band = \(employer.sizeBand), sector = \(employer.sector.rawValue),
                   has_london_workplaces = \(employer.hasLondonWorkplaces), updated_at = now()
            WHERE id = \(id)
            """)
        guard changed == 1 else { throw CharterStoreError(.notFound, "there is no employer \(id)") }
        var details = context
        if before.name != employer.name { details["name"] = employer.name }
        if before.companyNumber != employer.companyNumber {
            details["company_number"] = employer.companyNumber?.value ?? ""
        }
        if before.sizeBand != employer.sizeBand { details["size_band"] = employer.sizeBand ?? "" }
        if before.sector != employer.sector { details["sector"] = employer.sector.rawValue }
        if before.hasLondonWorkplaces != employer.hasLondonWorkplaces {
            details["london"] = employer.hasLondonWorkplaces
        }
        try await AuditTrail.append(
            on: connection, actor: actor, action: "employer.update", entity: "employer", entityID: String(id),
            details: details)
    }

    /// Removes contact `contactID` of employer `employerID`; a contact that is not the employer's is not found.
    public func removeContact(employerID: Int64, contactID: Int64, actor: String) async throws {
        try await pool.withTransaction { connection in
            guard
                try await connection.query(
                    "DELETE FROM contacts WHERE id = \(contactID) AND employer_id = \(employerID) RETURNING id"
                ).first != nil
            else { throw CharterStoreError(.notFound, "employer \(employerID) has no contact \(contactID)") }
            try await AuditTrail.append(
                on: connection, actor: actor, action: "contact.remove", entity: "employer",
                entityID: String(employerID), details: ["contact_id": contactID])
        }
    }
}

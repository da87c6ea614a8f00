public import CharterDomain
import Foundation
public import PGClient

/// Employers and their contacts in PostgreSQL.
public struct EmployerStore: Sendable {
    public let pool: PGPool

    public init(pool: PGPool) {
        self.pool = pool
    }

    /// Registers an employer; a company number or GPG id already registered is a conflict, decided by
    /// the table's unique constraints (so two concurrent registrations cannot both get in).
    public func add(_ employer: Employer, actor: String) async throws -> Employer {
        try employer.checkText()
        do {
            return try await pool.withTransaction { connection in
                let id = try await Self.insert(employer, on: connection)
                var stored = employer
                stored.id = id
                try await AuditTrail.append(
                    on: connection, actor: actor, action: "employer.add", entity: "employer", entityID: String(id),
                    details: ["name": employer.name, "company_number": employer.companyNumber?.value ?? ""])
                return stored
            }
        } catch let error as PGError where error.sqlState == .uniqueViolation {
            let holder = try await pool.withConnection { connection in
                try await connection.query(
                    """
                    SELECT id, name FROM employers
                    WHERE company_number = \(employer.companyNumber?.value) OR gpg_employer_id = \(employer.gpgEmployerID)
                    LIMIT 1
                    """
                ).first.map {
                    "employer \(try $0.decode(Int64.self, column: "id")) (\(try $0.decode(String.self, column: "name")))"
                }
            }
            let what =
                error.constraint?.contains("gpg") == true
                ? "GPG employer id \(employer.gpgEmployerID.map(String.init) ?? "")"
                : "company number \(employer.companyNumber?.value ?? "")"
            throw CharterStoreError(.conflict, "\(what) is already registered to \(holder ?? "another employer")")
        }
    }

    static func insert(_ employer: Employer, on connection: PGConnection) async throws -> Int64 {
        let rows = try await connection.query(
            """
            INSERT INTO employers (name, company_number, gpg_employer_id, sic_codes, size_band, sector,
                                   has_london_workplaces, address, postcode)
            VALUES (\(employer.name), \(employer.companyNumber?.value), \(employer.gpgEmployerID),
                    \(employer.sicCodes), \(employer.sizeBand), \(employer.sector.rawValue),
                    \(employer.hasLondonWorkplaces), \(employer.address), \(employer.postcode))
            RETURNING id
            """)
        return try rows[0].decode(Int64.self, column: "id")
    }

    /// One employer, or nil.
    public func find(id: Int64) async throws -> Employer? {
        try await pool.withConnection { connection in
            try await connection.query("\(Self.selectEmployers) WHERE id = \(id)").first.map(Self.employer)
        }
    }

    /// The names of employers `ids` by id (those that exist), for naming them on a page or in a report
    /// without reading every employer.
    public func names(of ids: some Sequence<Int64>) async throws -> [Int64: String] {
        let wanted = Array(Set(ids))
        guard !wanted.isEmpty else { return [:] }
        return try await pool.withConnection { connection in
            var names: [Int64: String] = [:]
            for row in try await connection.query("SELECT id, name FROM employers WHERE id = ANY(\(wanted)::bigint[])")
            {
                names[try row.decode(Int64.self, column: "id")] = try row.decode(String.self, column: "name")
            }
            return names
        }
    }

    /// Employers by name, optionally only those whose name contains `search` (any case).
    public func list(search: String? = nil, limit: Int = 1_000) async throws -> [Employer] {
        try await pool.withConnection { connection in
            let pattern = search.map { "%" + Self.escapeLike($0) + "%" }
            return try await connection.query(
                """
                \(Self.selectEmployers)
                WHERE \(pattern)::text IS NULL OR name ILIKE \(pattern)
                ORDER BY lower(name), id LIMIT \(limit)
                """
            ).map(Self.employer)
        }
    }

    /// The employers a person means by `text` in a form: the one with that company number (any case), else
    /// those with that name (any case), else those whose name contains it; at most `limit`, by name.
    /// One employer is a match; none or several is for the form to say.
    public func identify(_ text: String, limit: Int = 5) async throws -> [Employer] {
        let wanted = text.trimmingCharacters(in: .whitespaces)
        guard !wanted.isEmpty else { return [] }
        let pattern = "%" + Self.escapeLike(wanted) + "%"
        let conditions: [PGQuery] = [
            "company_number = upper(\(wanted))", "lower(name) = lower(\(wanted))", "name ILIKE \(pattern)",
        ]
        return try await pool.withConnection { connection in
            for condition in conditions {
                let found = try await connection.query(
                    "\(Self.selectEmployers) WHERE \(condition) ORDER BY lower(name), id LIMIT \(limit)"
                ).map(Self.employer)
                if !found.isEmpty { return found }
            }
            return []
        }
    }

    /// Adds a contact who receives the employer's digests and reminders.
    public func addContact(
        employerID: Int64, name: String, email: String, role: String?, actor: String
    ) async throws -> Int64 {
        try TextField.contactName.check(name)
        try TextField.email.check(email)
        try TextField.contactRole.check(role)
        guard let address = EmailAddress(email) else {
            throw CharterStoreError(
                .invalid,
                "\"\(email.excerpt())\" is not an email address mail could carry (it should look like name@example.org)"
            )
        }
        return try await pool.withTransaction { connection in
            try await Self.addContact(
                employerID: employerID, name: name, address: address, role: role, actor: actor, on: connection)
        }
    }

    /// Adds a contact inside the caller's transaction; the text is checked already.
    static func addContact(
        employerID: Int64, name: String, address: EmailAddress, role: String?, actor: String,
        on connection: PGConnection
    ) async throws -> Int64 {
        guard try await connection.query("SELECT 1 FROM employers WHERE id = \(employerID)").first != nil else {
            throw CharterStoreError(.notFound, "there is no employer \(employerID)")
        }
        let id = try await connection.query(
            """
            INSERT INTO contacts (employer_id, name, email, role)
            VALUES (\(employerID), \(name), \(address.text), \(role)) RETURNING id
            """
        )[0].decode(Int64.self, column: "id")
        try await AuditTrail.append(
            on: connection, actor: actor, action: "contact.add", entity: "employer",
            entityID: String(employerID), details: ["contact_id": id])
        return id
    }

    /// The employer's contacts, oldest first.
    public func contacts(employerID: Int64) async throws -> [EmployerContact] {
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                "SELECT id, employer_id, name, email, role FROM contacts WHERE employer_id = \(employerID) ORDER BY id")
        }
        return try rows.map { row in
            EmployerContact(
                id: try row.decode(Int64.self, column: "id"),
                employerID: try row.decode(Int64.self, column: "employer_id"),
                name: try row.decode(String.self, column: "name"), email: try row.decode(String.self, column: "email"),
                role: try row.decode(String?.self, column: "role"))
        }
    }

    static let selectEmployers: PGQuery = """
        SELECT id, name, company_number, gpg_employer_id, sic_codes, size_band, sector, has_london_workplaces,
               address, postcode
        FROM employers
        """

    static func employer(_ row: PGRow) throws -> Employer {
        Employer(
            id: try row.decode(Int64.self, column: "id"), name: try row.decode(String.self, column: "name"),
            companyNumber: try row.decode(String?.self, column: "company_number").flatMap { CompanyNumber($0) },
            gpgEmployerID: try row.decode(Int64?.self, column: "gpg_employer_id"),
            sicCodes: try row.decode([String].self, column: "sic_codes"),
            sizeBand: try row.decode(String?.self, column: "size_band"),
            sector: Sector(rawValue: try row.decode(String.self, column: "sector")) ?? .private,
            hasLondonWorkplaces: try row.decode(Bool.self, column: "has_london_workplaces"),
            address: try row.decode(String?.self, column: "address"),
            postcode: try row.decode(String?.self, column: "postcode"))
    }

    /// `search` matched literally: LIKE's wildcards in it are escaped.
    static func escapeLike(_ text: String) -> String {
        var out = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out
    }
}

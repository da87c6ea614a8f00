public import CharterDomain
import PGClient

/// What an import of employers changed.
public struct EmployerImportSummary: Sendable, Hashable, Codable {
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0

    public init() {}

    public var total: Int { inserted + updated + unchanged }

    public mutating func add(_ other: EmployerImportSummary) {
        inserted += other.inserted
        updated += other.updated
        unchanged += other.unchanged
    }
}

extension EmployerStore {
    /// Inserts or updates a batch of employers in one transaction, matching each to a stored one
    /// by company number, or by GPG employer id when it has none — so re-importing a file never
    /// duplicates an employer. Sector and the London flag are not in GPG data and are kept. A
    /// company number another stored employer already holds is not moved (the row keeps its own).
    public func upsert(_ batch: [Employer], actor: String, source: String) async throws -> EmployerImportSummary {
        for employer in batch { try employer.checkText() }
        return try await pool.withTransaction { connection in
            var summary = EmployerImportSummary()
            var insertedIDs: [Int64] = []
            var updatedIDs: [Int64] = []
            for employer in batch {
                let existing = try await connection.query(
                    """
                    SELECT id FROM employers
                    WHERE company_number = \(employer.companyNumber?.value)
                       OR (gpg_employer_id = \(employer.gpgEmployerID))
                    ORDER BY (company_number IS NOT DISTINCT FROM \(employer.companyNumber?.value)) DESC, id
                    LIMIT 1
                    """
                ).first.map { try $0.decode(Int64.self, column: "id") }
                guard let id = existing else {
                    insertedIDs.append(try await insert(employer, on: connection))
                    summary.inserted += 1
                    continue
                }
                // A number or GPG id another stored employer holds stays where it is.
                let changed = try await connection.execute(
                    """
                    UPDATE employers e SET
                        name = \(employer.name), company_number = n.company_number,
                        gpg_employer_id = n.gpg_employer_id, sic_codes = \(employer.sicCodes),
                        size_band = \(employer.sizeBand), address = \(employer.address),
                        postcode = \(employer.postcode), updated_at = now()
                    FROM (
                        SELECT
                            CASE WHEN \(employer.companyNumber?.value)::text IS NULL
                                      OR EXISTS (SELECT 1 FROM employers o
                                                 WHERE o.company_number = \(employer.companyNumber?.value)
                                                   AND o.id <> \(id))
                                 THEN (SELECT company_number FROM employers WHERE id = \(id))
                                 ELSE \(employer.companyNumber?.value) END AS company_number,
                            CASE WHEN \(employer.gpgEmployerID)::bigint IS NULL
                                      OR EXISTS (SELECT 1 FROM employers o
                                                 WHERE o.gpg_employer_id = \(employer.gpgEmployerID) AND o.id <> \(id))
                                 THEN (SELECT gpg_employer_id FROM employers WHERE id = \(id))
                                 ELSE \(employer.gpgEmployerID) END AS gpg_employer_id
                    ) n
                    WHERE e.id = \(id)
                      AND (e.name, e.company_number, e.gpg_employer_id, e.sic_codes, e.size_band, e.address, e.postcode)
                          IS DISTINCT FROM
                          (\(employer.name), n.company_number, n.gpg_employer_id, \(employer.sicCodes),
                           \(employer.sizeBand), \(employer.address), \(employer.postcode))
                    """)
                if changed > 0 {
                    updatedIDs.append(id)
                    summary.updated += 1
                } else {
                    summary.unchanged += 1
                }
            }
            if summary.inserted + summary.updated > 0 {
                try await AuditTrail.append(
                    on: connection, actor: actor, action: "employer.import", entity: "employer", entityID: nil,
                    details: ["source": source, "inserted": insertedIDs, "updated": updatedIDs])
            }
            return summary
        }
    }
}

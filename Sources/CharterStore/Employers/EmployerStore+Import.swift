public import CharterDomain
public import PGClient

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
            try await upsert(batch, actor: actor, source: source, on: connection)
        }
    }

    /// `upsert(_:actor:source:)` inside the caller's transaction on `connection` (the workspace's import
    /// takes its upload and imports it in one transaction).
    public func upsert(
        _ batch: [Employer], actor: String, source: String, on connection: PGConnection
    ) async throws -> EmployerImportSummary {
        for employer in batch { try employer.checkText() }
        let (summary, insertedIDs, updatedIDs) = try await apply(batch, on: connection)
        if summary.inserted + summary.updated > 0 {
            try await AuditTrail.append(
                on: connection, actor: actor, action: "employer.import", entity: "employer", entityID: nil,
                details: ["source": source, "inserted": insertedIDs.map(\.id), "updated": updatedIDs.map(\.id)])
        }
        return summary
    }

    /// What `upsert` would do with `batch` now — which employers it would add, update or leave alone —
    /// worked out by doing it in a transaction that is always rolled back, so the preview and the import
    /// run the very same statements, and nothing is written (nor audited).
    ///
    /// - Returns: the counts, and each employer of `batch` with what would happen to it, in order.
    public func previewUpsert(_ batch: [Employer]) async throws -> (
        summary: EmployerImportSummary, outcomes: [EmployerImportOutcome]
    ) {
        for employer in batch { try employer.checkText() }
        return try await pool.withConnection { connection in
            try await connection.simpleQuery("BEGIN")
            do {
                let (summary, insertedIDs, updatedIDs) = try await apply(batch, on: connection)
                try await connection.simpleQuery("ROLLBACK")
                let inserted = Set(insertedIDs.map(\.position))
                let updated = Set(updatedIDs.map(\.position))
                let outcomes = batch.indices.map { index -> EmployerImportOutcome in
                    inserted.contains(index) ? .added : updated.contains(index) ? .updated : .unchanged
                }
                return (summary, outcomes)
            } catch {
                try? await connection.simpleQuery("ROLLBACK")
                throw error
            }
        }
    }

    /// The statements of an import of `batch` on `connection` (inside the caller's transaction): the
    /// counts, and the ids (with positions in `batch`) of the employers inserted and updated.
    func apply(_ batch: [Employer], on connection: PGConnection) async throws -> (
        EmployerImportSummary, [Positioned], [Positioned]
    ) {
        var summary = EmployerImportSummary()
        var insertedIDs: [Positioned] = []
        var updatedIDs: [Positioned] = []
        for (position, employer) in batch.enumerated() {
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
                insertedIDs.append(Positioned(id: try await Self.insert(employer, on: connection), position: position))
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
                updatedIDs.append(Positioned(id: id, position: position))
                summary.updated += 1
            } else {
                summary.unchanged += 1
            }
        }
        return (summary, insertedIDs, updatedIDs)
    }

    /// A stored employer's id and the position in the batch of the row that wrote it.
    struct Positioned: Sendable {
        var id: Int64
        var position: Int
    }
}

/// What an import would do, or did, with one employer of the file.
public enum EmployerImportOutcome: String, Sendable, Hashable {
    case added, updated, unchanged
}

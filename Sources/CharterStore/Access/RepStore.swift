import CharterDomain
import Foundation
public import PGClient

/// Union reps and the employers each covers, in PostgreSQL; every change is audited in its own
/// transaction.
public struct RepStore: Sendable {
    public let pool: PGPool

    public init(pool: PGPool) {
        self.pool = pool
    }

    /// Registers a rep covering `covers` (employer ids).
    ///
    /// An employer id that does not exist is refused with a sentence naming it, and nothing is
    /// stored; an email already registered to another rep (in any case) is a conflict, decided by the
    /// table's unique index so two concurrent registrations cannot both get in.
    public func add(
        name: String, email: String, unionName: String?, covers employerIDs: [Int64], actor: String
    ) async throws -> Rep {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw CharterStoreError(.invalid, "a rep needs a name") }
        try TextField.repName.check(name)
        try TextField.email.check(email)
        try TextField.unionName.check(unionName)
        guard let address = EmailAddress(email) else {
            throw CharterStoreError(
                .invalid, "\"\(email.excerpt())\" is not an email address (it should look like name@union.org)")
        }
        let union = unionName?.trimmingCharacters(in: .whitespacesAndNewlines)
        let unionName = union?.isEmpty == false ? union : nil
        let covers = Array(Set(employerIDs)).sorted()
        do {
            return try await pool.withTransaction { connection in
                try await Self.refuseUnknownEmployers(covers, on: connection, outcome: "nothing was stored")
                let id = try await connection.query(
                    """
                    INSERT INTO reps (name, email, union_name) VALUES (\(name), \(address.text), \(unionName))
                    RETURNING id
                    """
                )[0].decode(Int64.self, column: "id")
                try await connection.execute(
                    """
                    INSERT INTO rep_coverage (rep_id, employer_id) SELECT \(id), unnest(\(covers)::bigint[])
                    """)
                try await AuditTrail.append(
                    on: connection, actor: actor, action: "rep.add", entity: "rep", entityID: String(id),
                    details: ["name": name, "union": unionName ?? "", "covers": covers])
                return try await Self.require(id: id, on: connection)
            }
        } catch let error as PGError where error.sqlState == .uniqueViolation {
            let holder = try await pool.withConnection { connection in
                try await connection.query(
                    "SELECT id, name FROM reps WHERE lower(email) = lower(\(address.text)) LIMIT 1"
                ).first.map {
                    "rep \(try $0.decode(Int64.self, column: "id")) (\(try $0.decode(String.self, column: "name")))"
                }
            }
            throw CharterStoreError(.conflict, "\(address) is already the email of \(holder ?? "another rep")")
        } catch let error as PGError where error.sqlState == .foreignKeyViolation {
            throw CharterStoreError(.notFound, "an employer to cover was removed meanwhile; nothing was stored")
        }
    }

    /// Replaces the employers `repID` covers with `employerIDs`; returns the rep as now stored.
    ///
    /// Unknown employer ids are refused with a sentence naming them, and nothing changes. A change is
    /// audited with the employers added and removed; setting the coverage the rep already has
    /// changes and records nothing.
    public func setCoverage(repID: Int64, employerIDs: [Int64], actor: String) async throws -> Rep {
        let covers = Array(Set(employerIDs)).sorted()
        do {
            return try await pool.withTransaction { connection in
                // The row lock serialises two coverage changes to one rep.
                guard try await connection.query("SELECT 1 FROM reps WHERE id = \(repID) FOR UPDATE").first != nil
                else { throw CharterStoreError(.notFound, "there is no rep \(repID)") }
                try await Self.refuseUnknownEmployers(covers, on: connection, outcome: "nothing was changed")
                let removed = try await connection.query(
                    """
                    DELETE FROM rep_coverage WHERE rep_id = \(repID) AND employer_id <> ALL (\(covers)::bigint[])
                    RETURNING employer_id
                    """
                ).map { try $0.decode(Int64.self, column: "employer_id") }.sorted()
                let added = try await connection.query(
                    """
                    INSERT INTO rep_coverage (rep_id, employer_id) SELECT \(repID), unnest(\(covers)::bigint[])
                    ON CONFLICT DO NOTHING RETURNING employer_id
                    """
                ).map { try $0.decode(Int64.self, column: "employer_id") }.sorted()
                if !added.isEmpty || !removed.isEmpty {
                    try await AuditTrail.append(
                        on: connection, actor: actor, action: "rep.coverage", entity: "rep", entityID: String(repID),
                        details: ["added": added, "removed": removed, "covers": covers])
                }
                return try await Self.require(id: repID, on: connection)
            }
        } catch let error as PGError where error.sqlState == .foreignKeyViolation {
            throw CharterStoreError(.notFound, "an employer to cover was removed meanwhile; nothing was changed")
        }
    }

    /// Every rep with the employers they cover, by name.
    public func list() async throws -> [Rep] {
        try await pool.withConnection { connection in
            try await connection.query("\(Self.selectReps) ORDER BY lower(r.name), r.id").map(Self.rep)
        }
    }

    /// One rep, or nil.
    public func find(id: Int64) async throws -> Rep? {
        try await pool.withConnection { try await Self.find(id: id, on: $0) }
    }

    static func find(id: Int64, on connection: PGConnection) async throws -> Rep? {
        try await connection.query("\(Self.selectReps) WHERE r.id = \(id)").first.map(Self.rep)
    }

    /// The rep just written in this transaction.
    private static func require(id: Int64, on connection: PGConnection) async throws -> Rep {
        guard let rep = try await find(id: id, on: connection) else {
            throw CharterStoreError(.notFound, "rep \(id) vanished")
        }
        return rep
    }

    /// Throws a sentence naming every id in `employerIDs` that is not a registered employer, ending
    /// with `outcome` (what the refusal left as it was).
    static func refuseUnknownEmployers(
        _ employerIDs: [Int64], on connection: PGConnection, outcome: String
    ) async throws {
        guard !employerIDs.isEmpty else { return }
        let unknown = try await connection.query(
            """
            SELECT wanted.id FROM unnest(\(employerIDs)::bigint[]) AS wanted(id)
            WHERE NOT EXISTS (SELECT 1 FROM employers e WHERE e.id = wanted.id)
            ORDER BY wanted.id
            """
        ).map { try $0.decode(Int64.self, column: "id") }
        guard !unknown.isEmpty else { return }
        let named = unknown.map(String.init).joined(separator: ", ")
        throw CharterStoreError(
            .notFound,
            unknown.count == 1
                ? "there is no employer \(named) to cover; \(outcome)"
                : "there are no employers \(named) to cover; \(outcome)")
    }

    static let selectReps: PGQuery = """
        SELECT r.id, r.name, r.email, r.union_name, r.created_at,
               ARRAY(SELECT c.employer_id FROM rep_coverage c WHERE c.rep_id = r.id ORDER BY c.employer_id) AS covers
        FROM reps r
        """

    static func rep(_ row: PGRow) throws -> Rep {
        Rep(
            id: try row.decode(Int64.self, column: "id"), name: try row.decode(String.self, column: "name"),
            email: try row.decode(String.self, column: "email"),
            unionName: try row.decode(String?.self, column: "union_name"),
            coveredEmployerIDs: try row.decode([Int64].self, column: "covers"),
            createdAt: try row.decode(Date.self, column: "created_at"))
    }
}

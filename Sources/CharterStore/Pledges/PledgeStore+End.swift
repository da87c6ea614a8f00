public import CharterDomain
import PGClient

extension PledgeStore {
    /// Ends pledge `id` of employer `employerID` on `day`: the first day it no longer applies (SPEC §2's
    /// half-open range). A pledge that starts on or after `day` cannot end then, and one already ended
    /// on or before `day` stays as it is; both are refused with a sentence.
    public func end(id: Int64, employerID: Int64, on day: CalendarDate, actor: String) async throws -> PledgeRecord {
        try await pool.withTransaction { connection in
            try await Self.end(id: id, employerID: employerID, day: day, actor: actor, on: connection)
            guard let stored = try await Self.list(employerID: employerID, on: connection).first(where: { $0.id == id })
            else { throw CharterStoreError(.notFound, "pledge \(id) vanished inside its own transaction") }
            return stored
        }
    }

    /// Ends pledge `id` of employer `employerID` on `day`, as above, inside the caller's transaction.
    static func end(id: Int64, employerID: Int64, day: CalendarDate, actor: String, on connection: PGConnection)
        async throws
    {
        guard
            let row = try await connection.query(
                """
                SELECT valid_from::text AS valid_from, valid_to::text AS valid_to FROM pledges
                WHERE id = \(id) AND employer_id = \(employerID) FOR UPDATE
                """
            ).first
        else { throw CharterStoreError(.notFound, "employer \(employerID) has no pledge \(id)") }
        let from = try row.decode(String.self, column: "valid_from")
        if let to = try row.decode(String?.self, column: "valid_to"), let ended = CalendarDate(iso: to), ended <= day {
            throw CharterStoreError(.conflict, "pledge \(id) already ended on \(ended)")
        }
        if let start = CalendarDate(iso: from), start >= day {
            throw CharterStoreError(
                .invalid,
                "a pledge must end after it starts; pledge \(id) starts on \(start), so it cannot end on \(day)")
        }
        try await connection.execute("UPDATE pledges SET valid_to = \(day.description)::date WHERE id = \(id)")
        try await AuditTrail.append(
            on: connection, actor: actor, action: "pledge.end", entity: "pledge", entityID: String(id),
            details: ["employer_id": employerID, "valid_to": day.description])
    }
}

extension CharterVersionStore {
    /// The newest published charter version in force on `day` — the one a pledge starting that day is
    /// made to — with its standards; nil when none is.
    public func publishedVersion(inForceOn day: CalendarDate) async throws -> CharterVersion? {
        try await pool.withConnection { connection in
            guard
                let id = try await connection.query(
                    """
                    SELECT id FROM charter_versions
                    WHERE status = 'published' AND effective_from <= \(day.description)::date
                    ORDER BY effective_from DESC, id DESC LIMIT 1
                    """
                ).first?.decode(Int64.self, column: "id")
            else { return nil }
            return try await Self.version(id: id, on: connection)
        }
    }
}

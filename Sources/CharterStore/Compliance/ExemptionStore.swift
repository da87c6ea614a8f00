public import CharterDomain
import Foundation
public import PGClient

/// Exemptions: granted with a reason and an expiry, revoked by an admin; the nightly run waives the
/// flags they cover and reopens them when the exemption ends.
public struct ExemptionStore: Sendable {
    public let pool: PGPool

    public init(pool: PGPool) {
        self.pool = pool
    }

    public func add(
        employerID: Int64, standardID: String, periodFrom: ReportingPeriod?, periodTo: ReportingPeriod?,
        reason: String, expiresOn: CalendarDate, actor: String
    ) async throws -> Exemption {
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw CharterStoreError(.invalid, "an exemption needs a reason")
        }
        try TextField.exemptionReason.check(reason)
        try TextField.standardID.check(standardID)
        if let periodFrom, let periodTo, periodTo < periodFrom {
            throw CharterStoreError(.invalid, "the exemption ends (\(periodTo)) before it starts (\(periodFrom))")
        }
        guard ComplianceRules.standardIDs.contains(standardID) else {
            throw CharterStoreError(
                .invalid,
                "\(standardID) is not a charter standard; they are \(ComplianceRules.standardIDs.joined(separator: ", "))"
            )
        }
        return try await pool.withTransaction { connection in
            guard try await connection.query("SELECT 1 FROM employers WHERE id = \(employerID)").first != nil else {
                throw CharterStoreError(.notFound, "there is no employer \(employerID)")
            }
            let id = try await connection.query(
                """
                INSERT INTO exemptions (employer_id, standard_id, period_from, period_to, reason, expires_on, granted_by)
                VALUES (\(employerID), \(standardID), \(periodFrom?.description), \(periodTo?.description), \(reason),
                        \(expiresOn.description)::date, \(actor))
                RETURNING id
                """
            )[0].decode(Int64.self, column: "id")
            try await AuditTrail.append(
                on: connection, actor: actor, action: "exemption.grant", entity: "exemption", entityID: String(id),
                details: [
                    "employer_id": employerID, "standard_id": standardID, "reason": reason,
                    "expires_on": expiresOn.description, "period_from": periodFrom?.description ?? "",
                    "period_to": periodTo?.description ?? "",
                ])
            guard let stored = try await Self.list(employerID: employerID, id: id, on: connection).first else {
                throw CharterStoreError(.notFound, "exemption \(id) vanished")
            }
            return stored
        }
    }

    public func revoke(id: Int64, actor: String) async throws -> Exemption {
        try await pool.withTransaction { connection in
            let changed = try await connection.execute(
                "UPDATE exemptions SET revoked_at = now(), revoked_by = \(actor) WHERE id = \(id) AND revoked_at IS NULL"
            )
            guard changed == 1 else {
                let exists = try await connection.query("SELECT 1 FROM exemptions WHERE id = \(id)").first != nil
                throw CharterStoreError(
                    exists ? .conflict : .notFound,
                    exists ? "exemption \(id) is already revoked" : "there is no exemption \(id)")
            }
            try await AuditTrail.append(
                on: connection, actor: actor, action: "exemption.revoke", entity: "exemption", entityID: String(id))
            guard let stored = try await Self.list(employerID: nil, id: id, on: connection).first else {
                throw CharterStoreError(.notFound, "exemption \(id) vanished")
            }
            return stored
        }
    }

    public func list(employerID: Int64? = nil) async throws -> [Exemption] {
        try await pool.withConnection { try await Self.list(employerID: employerID, id: nil, on: $0) }
    }

    /// One exemption, or nil.
    public func find(id: Int64) async throws -> Exemption? {
        try await pool.withConnection { try await Self.list(employerID: nil, id: id, on: $0).first }
    }

    static func list(employerID: Int64?, id: Int64?, on connection: PGConnection) async throws -> [Exemption] {
        try await connection.query(
            """
            SELECT id, employer_id, standard_id, period_from, period_to, reason, expires_on::text AS expires_on,
                   granted_by, granted_at, revoked_at, revoked_by
            FROM exemptions
            WHERE (\(employerID)::bigint IS NULL OR employer_id = \(employerID)) AND (\(id)::bigint IS NULL OR id = \(id))
            ORDER BY employer_id, granted_at DESC
            """
        ).map { row in
            let expires = try row.decode(String.self, column: "expires_on")
            guard let expiresOn = CalendarDate(iso: expires) else {
                throw CharterStoreError(.invalid, "stored expiry \(expires) is not a date")
            }
            return Exemption(
                id: try row.decode(Int64.self, column: "id"),
                employerID: try row.decode(Int64.self, column: "employer_id"),
                standardID: try row.decode(String.self, column: "standard_id"),
                periodFrom: try row.decode(String?.self, column: "period_from"),
                periodTo: try row.decode(String?.self, column: "period_to"),
                reason: try row.decode(String.self, column: "reason"), expiresOn: expiresOn,
                grantedBy: try row.decode(String.self, column: "granted_by"),
                grantedAt: try row.decode(Date.self, column: "granted_at"),
                revokedAt: try row.decode(Date?.self, column: "revoked_at"),
                revokedBy: try row.decode(String?.self, column: "revoked_by"))
        }
    }
}

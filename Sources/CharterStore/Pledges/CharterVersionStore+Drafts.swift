public import CharterDomain
import Foundation
import PGClient

/// Drafts of a charter version: copied from a version, their standards' parameters and severities
/// changed, then published — after which nothing in them changes (SPEC §4: a change is a new version).
extension CharterVersionStore {
    /// Every version, newest first.
    public func summaries() async throws -> [CharterVersionSummary] {
        try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT v.id, v.label, v.effective_from::text AS effective_from, v.status, v.created_at,
                       (SELECT count(*) FROM pledges p WHERE p.charter_version_id = v.id) AS pledges
                FROM charter_versions v ORDER BY v.effective_from DESC, v.id DESC
                """
            ).map { row in
                let from = try row.decode(String.self, column: "effective_from")
                guard let effectiveFrom = CalendarDate(iso: from) else {
                    throw CharterStoreError(.invalid, "a charter version has no valid start date")
                }
                return CharterVersionSummary(
                    id: try row.decode(Int64.self, column: "id"), label: try row.decode(String.self, column: "label"),
                    effectiveFrom: effectiveFrom, isDraft: try row.decode(String.self, column: "status") == "draft",
                    createdAt: try row.decode(Date.self, column: "created_at"),
                    pledges: Int(try row.decode(Int64.self, column: "pledges")))
            }
        }
    }

    /// A draft copied from version `sourceID` (its parameters, standards, their parameters and
    /// severities), named `label` and in force from `effectiveFrom` once published. Returns its id.
    public func createDraft(
        copying sourceID: Int64, label: String, effectiveFrom: CalendarDate, actor: String
    ) async throws -> Int64 {
        let label = label.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !label.isEmpty else { throw CharterStoreError(.invalid, "a charter version needs a label") }
        guard label.count <= 200 else {
            throw CharterStoreError(.invalid, "a charter version's label is at most 200 characters")
        }
        return try await pool.withTransaction { connection in
            guard try await connection.query("SELECT 1 FROM charter_versions WHERE id = \(sourceID)").first != nil
            else { throw CharterStoreError(.notFound, "there is no charter version \(sourceID)") }
            let id: Int64
            do {
                id = try await connection.query(
                    """
                    INSERT INTO charter_versions (label, effective_from, params, status)
                    SELECT \(label), \(effectiveFrom.description)::date, params, 'draft'
                    FROM charter_versions WHERE id = \(sourceID)
                    RETURNING id
                    """
                )[0].decode(Int64.self, column: "id")
            } catch let error as PGError where error.sqlState == .uniqueViolation {
                throw CharterStoreError(.conflict, "a charter version is already called \"\(label)\"")
            }
            try await connection.execute(
                """
                INSERT INTO standards (charter_version_id, standard_id, pillar, title, params, severity_aspiring,
                                       severity_accredited)
                SELECT \(id), standard_id, pillar, title, params, severity_aspiring, severity_accredited
                FROM standards WHERE charter_version_id = \(sourceID)
                """)
            try await AuditTrail.append(
                on: connection, actor: actor, action: "charter.draft", entity: "charter_version",
                entityID: String(id),
                details: [
                    "copied_from": sourceID, "label": label, "effective_from": effectiveFrom.description,
                ])
            return id
        }
    }

    /// Changes one standard of draft `versionID`: its parameters (only those it has; each keeps its
    /// kind) and its severity for each tier. A published version is refused.
    public func updateStandard(
        versionID: Int64, standardID: String, parameters: [String: ParameterValue], severityAspiring: Severity,
        severityAccredited: Severity, actor: String
    ) async throws {
        try await pool.withTransaction { connection in
            try await Self.requireDraft(versionID, on: connection)
            guard
                let current = try await connection.query(
                    """
                    SELECT params::text AS params FROM standards
                    WHERE charter_version_id = \(versionID) AND standard_id = \(standardID) FOR UPDATE
                    """
                ).first
            else { throw CharterStoreError(.notFound, "version \(versionID) has no standard \(standardID)") }
            let existing = try StandardDefaults(
                json: Data(try current.decode(String.self, column: "params").utf8))
            for (name, value) in parameters {
                guard let old = existing.parameters[name] else {
                    throw CharterStoreError(.invalid, "\(standardID) has no parameter \(name)")
                }
                guard Self.sameKind(old, value) else {
                    throw CharterStoreError(.invalid, "\(standardID)'s \(name) must stay \(Self.kindName(old))")
                }
            }
            var merged = existing.parameters
            merged.merge(parameters) { _, new in new }
            let json = String(
                decoding: try JSONSerialization.data(
                    withJSONObject: merged.mapValues(Self.jsonObject), options: [.sortedKeys]),
                as: UTF8.self)
            try await connection.execute(
                """
                UPDATE standards SET params = \(json)::jsonb, severity_aspiring = \(severityAspiring.rawValue),
                       severity_accredited = \(severityAccredited.rawValue)
                WHERE charter_version_id = \(versionID) AND standard_id = \(standardID)
                """)
            try await AuditTrail.append(
                on: connection, actor: actor, action: "charter.standard.update", entity: "charter_version",
                entityID: String(versionID),
                details: [
                    "standard_id": standardID, "params": json, "severity_aspiring": severityAspiring.rawValue,
                    "severity_accredited": severityAccredited.rawValue,
                ])
        }
    }

    /// Publishes draft `versionID`: from now on it is a version like the others, and nothing in it
    /// changes. A version already published is refused.
    public func publish(versionID: Int64, actor: String) async throws {
        try await pool.withTransaction { connection in
            try await Self.requireDraft(versionID, on: connection)
            try await connection.execute("UPDATE charter_versions SET status = 'published' WHERE id = \(versionID)")
            try await AuditTrail.append(
                on: connection, actor: actor, action: "charter.publish", entity: "charter_version",
                entityID: String(versionID))
        }
    }

    /// Locks version `id` and refuses unless it is a draft.
    static func requireDraft(_ id: Int64, on connection: PGConnection) async throws {
        guard
            let row = try await connection.query(
                "SELECT status, label FROM charter_versions WHERE id = \(id) FOR UPDATE"
            ).first
        else { throw CharterStoreError(.notFound, "there is no charter version \(id)") }
        guard try row.decode(String.self, column: "status") == "draft" else {
            throw CharterStoreError(
                .conflict,
                "\(try row.decode(String.self, column: "label")) is published and can no longer be changed;"
                    + " make a draft from it instead")
        }
    }

    static func sameKind(_ a: ParameterValue, _ b: ParameterValue) -> Bool {
        switch (a, b) {
        case (.number, .number), (.text, .text), (.flag, .flag), (.list, .list): true
        default: false
        }
    }

    static func kindName(_ value: ParameterValue) -> String {
        switch value {
        case .number: "a number"
        case .text: "text"
        case .flag: "true or false"
        case .list: "a list"
        }
    }

    static func jsonObject(_ value: ParameterValue) -> Any {
        switch value {
        case .number(let number): NSDecimalNumber(decimal: number)
        case .text(let text): text
        case .flag(let flag): flag
        case .list(let items): items
        }
    }
}

import CharterAccess
import CharterDomain
import CharterStore
import Foundation
import HTTPTypes
import Hummingbird
import PGClient

extension WebPages {
    /// `/admin/audit`: the audit log paged and filtered by actor, object and dates, as CSV too, and the
    /// chain verified with the process's key (`AuditTrail.verify`), showing the head.
    static func registerWorkspaceOpsAudit(on group: RouterGroup<CharterRequestContext>, services: WorkspaceServices) {
        let pool = services.pool
        let log = AuditLog(pool: pool)
        let filters = ["actor", "entity", "entity_id", "from", "to"]
        group.get("/admin/audit") { request, context -> Response in
            _ = try Workspace.require(.readAudit, context: context)
            let query = ListQuery(request, filters: filters)
            return try await auditPage(query, log: log, context: context)
        }
        group.get("/admin/audit.csv") { request, context -> Response in
            _ = try Workspace.require(.readAudit, context: context)
            let query = ListQuery(request, filters: filters)
            var errors = FormErrors()
            let filter = auditFilter(query, errors: &errors)
            guard errors.isEmpty else { return try await auditPage(query, log: log, context: context) }
            let rows = try await log.list(filter, offset: 0, limit: 10_000)
            return Workspace.csv(
                filename: "audit.csv",
                header: ["id", "at", "actor", "action", "entity", "entity_id", "details", "row_hash"],
                rows: rows.map {
                    [
                        String($0.id), iso($0.at), $0.actor, $0.action, $0.entity, $0.entityID ?? "", $0.details,
                        $0.rowHash,
                    ]
                })
        }
        group.post("/admin/audit/verify") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            _ = try Workspace.require(.verifyAudit, context: context)
            guard let key = AuditTrail.key else {
                throw Problem(.serviceUnavailable, "This server has no audit key set, so the chain cannot be verified.")
            }
            var published: [UInt8]?
            if let text = form["head"] {
                guard let bytes = AuditTrail.headBytes(text) else {
                    var errors = FormErrors()
                    errors.add("head", "The published head hash is 64 hexadecimal characters, as a check shows it.")
                    return try await auditPage(
                        ListQuery(request, filters: filters), log: log, context: context, refused: (text, errors))
                }
                published = bytes
            }
            let verification = try await pool.withConnection {
                try await AuditTrail.verify(on: $0, key: key, publishedHead: published)
            }
            let wrongKey = verification.firstBreak?.problem == .wrongKey
            var result: [String: Any] = [
                "intact": verification.isIntact, "rowsChecked": verification.rowsChecked,
                "unkeyedRows": verification.unkeyedRows, "wrongKey": wrongKey,
                "broken": !verification.isIntact && !wrongKey,
            ]
            result.setIfPresent("headHash", verification.headHash)
            result.setIfPresent("breakMessage", verification.firstBreak?.message)
            result.setIfPresent("breakRow", verification.firstBreak?.rowID.map { String($0) })
            return try await auditPage(
                ListQuery(request, filters: filters), log: log, context: context, verification: result)
        }
    }

    /// The audit filter the query asks for; mistakes in the dates go into `errors`.
    static func auditFilter(_ query: ListQuery, errors: inout FormErrors) -> AuditLog.Filter {
        var filter = AuditLog.Filter(actor: query["actor"], entity: query["entity"], entityID: query["entity_id"])
        if let text = query["from"] {
            if let date = WorkspaceOps.date(text) {
                filter.from = date.start(in: .europeLondon)
            } else {
                errors.add("from", "The first day must be a date like 2026-12-01.")
            }
        }
        if let text = query["to"] {
            if let date = WorkspaceOps.date(text) {
                filter.before = date.adding(days: 1).start(in: .europeLondon)
            } else {
                errors.add("to", "The last day must be a date like 2026-12-31.")
            }
        }
        if let from = filter.from, let before = filter.before, before <= from {
            errors.add("to", "The last day must not be before the first.")
        }
        return filter
    }

    static func auditPage(
        _ query: ListQuery, log: AuditLog, context: CharterRequestContext, verification: [String: Any]? = nil,
        refused: (head: String, errors: FormErrors)? = nil
    ) async throws -> Response {
        var errors = FormErrors()
        let filter = auditFilter(query, errors: &errors)
        var values = query.values
        if let refused { values["head"] = refused.head }
        var data: [String: Any] = ["values": values, "csv": query.href("/admin/audit.csv")]
        if errors.isEmpty {
            let entries = try await log.list(filter, offset: query.offset, limit: ListQuery.pageSize)
            let total = try await log.count(filter)
            data["entries"] = entries.map { entry in
                ([
                    "id": entry.id, "at": WebPage.time(entry.at), "actor": entry.actor, "action": entry.action,
                    "entity": entry.entity, "details": entry.details == "{}" ? "" : entry.details,
                    "hash": String(entry.rowHash.prefix(16)),
                ] as [String: Any])
                .with("entityID", entry.entityID)
            }
            data["paging"] = query.paging("/admin/audit", shown: entries.count, total: total)
        }
        if let verification { data["verification"] = verification }
        for entry in refused?.errors.entries ?? [] { errors.add(entry.field, entry.message) }
        data.merge(errors.templateData) { _, new in new }
        return Workspace.render(
            "workspace-audit", data, section: "/admin/audit", change: .verifyAudit, context: context,
            status: errors.isEmpty ? .ok : .unprocessableContent)
    }
}

import CharterDomain
import Foundation
import PGClient

/// Brings an employer's flags for one period in line with what the rules found, through the one
/// table of allowed transitions (`FlagTransitions`), writing a flag event for every change.
enum FlagWriter {
    struct Existing {
        var id: Int64
        var state: FlagState
        var severity: String
        var evidence: String
    }

    static func reconcile(
        employerID: Int64, period: String, findings: [Finding], charterVersionID: Int64, returnVersionID: Int64?,
        actor: String, report: inout ComplianceRunReport, on connection: PGConnection
    ) async throws {
        var existing: [String: Existing] = [:]
        for row in try await connection.query(
            """
            SELECT id, standard_id, subject, state, severity, evidence::text AS evidence FROM flags
            WHERE employer_id = \(employerID) AND period = \(period) FOR UPDATE
            """)
        {
            guard let state = FlagState(rawValue: try row.decode(String.self, column: "state")) else { continue }
            let key =
                try row.decode(String.self, column: "standard_id") + "\u{1F}"
                + row.decode(
                    String.self, column: "subject")
            existing[key] = Existing(
                id: try row.decode(Int64.self, column: "id"), state: state,
                severity: try row.decode(String.self, column: "severity"),
                evidence: try row.decode(String.self, column: "evidence"))
        }
        func change(_ kind: FlagChange.Kind, _ standardID: String, _ subject: String, _ severity: String) {
            report.changes.append(
                FlagChange(
                    kind: kind, employerID: employerID, period: period, standardID: standardID, subject: subject,
                    severity: severity))
        }
        var seen: Set<String> = []
        for finding in findings {
            let key = finding.standardID + "\u{1F}" + finding.subject
            seen.insert(key)
            let evidence = String(decoding: finding.evidence.jsonData(), as: UTF8.self)
            let severity = finding.severity.rawValue
            guard let flag = existing[key] else {
                let id = try await connection.query(
                    """
                    INSERT INTO flags (employer_id, standard_id, period, subject, state, severity, evidence,
                                       charter_version_id, return_version_id)
                    VALUES (\(employerID), \(finding.standardID), \(period), \(finding.subject), 'open', \(severity),
                            \(evidence)::jsonb, \(charterVersionID), \(returnVersionID))
                    RETURNING id
                    """
                )[0].decode(Int64.self, column: "id")
                try await event(id, actor: actor, kind: "opened", from: nil, to: .open, note: nil, on: connection)
                report.flagsOpened += 1
                change(.opened, finding.standardID, finding.subject, severity)
                continue
            }
            var state = flag.state
            if flag.state == .cleared {
                state = try FlagTransitions.apply(.reappear, to: .cleared, by: .system, note: nil)
                try await event(
                    flag.id, actor: actor, kind: "transition", from: .cleared, to: state,
                    note: "the breach is back in return version \(returnVersionID.map(String.init) ?? "-")",
                    on: connection)
                report.flagsReopened += 1
                change(.reopened, finding.standardID, finding.subject, severity)
            }
            let sameFacts = flag.severity == severity && Self.sameJSON(flag.evidence, evidence)
            if state == flag.state && sameFacts {
                report.flagsUnchanged += 1
                continue
            }
            try await connection.execute(
                """
                UPDATE flags SET state = \(state.rawValue), severity = \(severity), evidence = \(evidence)::jsonb,
                                 charter_version_id = \(charterVersionID),
                                 return_version_id = coalesce(\(returnVersionID), return_version_id), updated_at = now()
                WHERE id = \(flag.id)
                """)
            if state == flag.state {
                try await event(
                    flag.id, actor: actor, kind: "evidence", from: nil, to: nil,
                    note: "figures updated from return version \(returnVersionID.map(String.init) ?? "-")",
                    on: connection)
                report.flagsUpdated += 1
                change(.updated, finding.standardID, finding.subject, severity)
            }
        }
        // Active flags the rules no longer find are cleared (the amended return fixed them).
        for (key, flag) in existing where !seen.contains(key) && flag.state.isActive {
            let state = try FlagTransitions.apply(.clear, to: flag.state, by: .system, note: nil)
            try await connection.execute(
                "UPDATE flags SET state = \(state.rawValue), updated_at = now() WHERE id = \(flag.id)")
            try await event(
                flag.id, actor: actor, kind: "transition", from: flag.state, to: state,
                note: returnVersionID.map { "not found in return version \($0)" } ?? "no longer found", on: connection)
            report.flagsCleared += 1
            let parts = key.split(separator: "\u{1F}", maxSplits: 1, omittingEmptySubsequences: false)
            change(.cleared, String(parts[0]), parts.count > 1 ? String(parts[1]) : "", flag.severity)
        }
    }

    static func event(
        _ flagID: Int64, actor: String, kind: String, from: FlagState?, to: FlagState?, note: String?,
        on connection: PGConnection
    ) async throws {
        try await connection.execute(
            """
            INSERT INTO flag_events (flag_id, actor, kind, from_state, to_state, note)
            VALUES (\(flagID), \(actor), \(kind), \(from?.rawValue), \(to?.rawValue), \(note))
            """)
    }

    /// Two JSON texts with the same content (jsonb reorders keys and spacing).
    static func sameJSON(_ stored: String, _ fresh: String) -> Bool {
        guard let a = try? JSONSerialization.jsonObject(with: Data(stored.utf8)),
            let b = try? JSONSerialization.jsonObject(with: Data(fresh.utf8))
        else { return stored == fresh }
        return NSDictionary(dictionary: ["v": a]).isEqual(to: ["v": b])
    }
}

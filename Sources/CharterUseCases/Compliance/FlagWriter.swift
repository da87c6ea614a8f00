import CharterDomain
import CharterStore
import Crypto
import Foundation
import PGClient

/// Brings employers' flags for judged periods in line with what the rules found, through the one
/// table of allowed transitions (`FlagTransitions`), writing a flag event for every change.
///
/// Set-based: a whole batch is read in one query, decided in Swift, and written with one statement
/// per kind of write (new flags, changed flags, events), so the cost does not grow with round trips.
enum FlagWriter {
    /// The findings for one employer and period, and what they were judged on.
    struct Judged: Sendable {
        var employerID: Int64
        var period: String
        var findings: [Finding]
        var charterVersionID: Int64
        var returnVersionID: Int64?
    }

    private struct Existing {
        var id: Int64
        var state: FlagState
        var severity: String
        var evidence: String
        /// Hex SHA-256 of the evidence as a run last encoded it; nil before migration 0008.
        var digest: String?
    }

    private struct Key: Hashable {
        var employerID: Int64
        var period: String
        var standardID: String
        var subject: String
    }

    private struct Event {
        var flagID: Int64
        var kind: String
        var from: FlagState?
        var to: FlagState?
        var note: String?
    }

    static func reconcile(
        _ batch: [Judged], actor: String, report: inout ComplianceRunReport, on connection: PGConnection
    ) async throws {
        guard !batch.isEmpty else { return }
        // 1. Every flag of the judged (employer, period) pairs, locked.
        var existing: [Key: Existing] = [:]
        for row in try await connection.query(
            """
            SELECT f.id, f.employer_id, f.period, f.standard_id, f.subject, f.state, f.severity,
                   f.evidence::text AS evidence, encode(f.evidence_digest, 'hex') AS digest
            FROM flags f
            JOIN unnest(\(batch.map(\.employerID))::bigint[], \(batch.map(\.period))::text[]) AS s (employer_id, period)
              ON f.employer_id = s.employer_id AND f.period = s.period
            FOR UPDATE OF f
            """)
        {
            guard let state = FlagState(rawValue: try row.decode(String.self, column: "state")) else { continue }
            let key = Key(
                employerID: try row.decode(Int64.self, column: "employer_id"),
                period: try row.decode(String.self, column: "period"),
                standardID: try row.decode(String.self, column: "standard_id"),
                subject: try row.decode(String.self, column: "subject"))
            existing[key] = Existing(
                id: try row.decode(Int64.self, column: "id"), state: state,
                severity: try row.decode(String.self, column: "severity"),
                evidence: try row.decode(String.self, column: "evidence"),
                digest: try row.decode(String?.self, column: "digest"))
        }

        // 2. Decide, in Swift, through the transition table.
        var inserts: [(key: Key, severity: String, evidence: String, digest: String, charter: Int64, version: Int64?)] =
            []
        var updates:
            [(
                id: Int64, state: FlagState, severity: String, evidence: String, digest: String?, charter: Int64,
                version: Int64?
            )] = []
        var events: [Event] = []
        func change(_ kind: FlagChange.Kind, _ key: Key, _ severity: String) {
            report.changes.append(
                FlagChange(
                    kind: kind, employerID: key.employerID, period: key.period, standardID: key.standardID,
                    subject: key.subject, severity: severity))
        }
        // Each finding's evidence as stored (JSON text) and its digest, encoded on every core: the
        // encoding is pure, and most of the time the decisions below take.
        let encoded = try await batch.concurrentMap { judged in
            judged.findings.map { finding in
                let json = finding.evidence.jsonData()
                return (evidence: String(decoding: json, as: UTF8.self), digest: Array(SHA256.hash(data: json)).hex)
            }
        }
        let judgedPairs = Set(batch.map { "\($0.employerID)/\($0.period)" })
        var seen: Set<Key> = []
        for (judged, encodings) in zip(batch, encoded) {
            let versionNote = judged.returnVersionID.map { "return version \($0)" } ?? "no return"
            for (finding, (evidence, digest)) in zip(judged.findings, encodings) {
                let key = Key(
                    employerID: judged.employerID, period: judged.period, standardID: finding.standardID,
                    subject: finding.subject)
                guard !seen.contains(key) else { continue }
                seen.insert(key)
                let severity = finding.severity.rawValue
                guard let flag = existing[key] else {
                    inserts.append((key, severity, evidence, digest, judged.charterVersionID, judged.returnVersionID))
                    report.flagsOpened += 1
                    change(.opened, key, severity)
                    continue
                }
                var state = flag.state
                if flag.state == .cleared {
                    state = try FlagTransitions.apply(.reappear, to: .cleared, by: .system, note: nil)
                    events.append(
                        Event(
                            flagID: flag.id, kind: "transition", from: .cleared, to: state,
                            note: "the breach is back in \(versionNote)"))
                    report.flagsReopened += 1
                    change(.reopened, key, severity)
                }
                // The digest settles it unless the flag predates digests or was encoded differently.
                let sameFacts =
                    flag.severity == severity && (flag.digest == digest || sameJSON(flag.evidence, evidence))
                if state == flag.state && sameFacts {
                    report.flagsUnchanged += 1
                    continue
                }
                updates.append(
                    (flag.id, state, severity, evidence, digest, judged.charterVersionID, judged.returnVersionID))
                if state == flag.state {
                    events.append(
                        Event(
                            flagID: flag.id, kind: "evidence", from: nil, to: nil,
                            note: "figures updated from \(versionNote)"))
                    report.flagsUpdated += 1
                    change(.updated, key, severity)
                }
            }
        }
        // Active flags of the judged pairs that the rules no longer find are cleared.
        let versionOf = Dictionary(
            batch.map { ("\($0.employerID)/\($0.period)", $0) }, uniquingKeysWith: { first, _ in first })
        for (key, flag) in existing
        where !seen.contains(key) && flag.state.isActive && judgedPairs.contains("\(key.employerID)/\(key.period)") {
            let state = try FlagTransitions.apply(.clear, to: flag.state, by: .system, note: nil)
            let judged = versionOf["\(key.employerID)/\(key.period)"]
            updates.append(
                (flag.id, state, flag.severity, flag.evidence, flag.digest, judged?.charterVersionID ?? 0, nil))
            events.append(
                Event(
                    flagID: flag.id, kind: "transition", from: flag.state, to: state,
                    note: judged?.returnVersionID.map { "not found in return version \($0)" } ?? "no longer found"))
            report.flagsCleared += 1
            change(.cleared, key, flag.severity)
        }

        // 3. Write: new flags, changed flags, events — one statement each.
        if !inserts.isEmpty {
            let created = try await connection.query(
                """
                INSERT INTO flags (employer_id, standard_id, period, subject, state, severity, evidence,
                                   evidence_digest, charter_version_id, return_version_id)
                SELECT e, s, p, sub, 'open', sev, ev::jsonb, decode(dg, 'hex'), cv, rv
                FROM unnest(\(inserts.map(\.key.employerID))::bigint[], \(inserts.map(\.key.standardID))::text[],
                            \(inserts.map(\.key.period))::text[], \(inserts.map(\.key.subject))::text[],
                            \(inserts.map(\.severity))::text[], \(inserts.map(\.evidence))::text[],
                            \(inserts.map(\.digest))::text[],
                            \(inserts.map(\.charter))::bigint[], \(inserts.map { $0.version ?? 0 })::bigint[])
                     AS i (e, s, p, sub, sev, ev, dg, cv, rv0)
                CROSS JOIN LATERAL (SELECT nullif(rv0, 0) AS rv) r
                RETURNING id
                """)
            for row in created {
                events.append(
                    Event(
                        flagID: try row.decode(Int64.self, column: "id"), kind: "opened", from: nil, to: .open,
                        note: nil))
            }
        }
        if !updates.isEmpty {
            try await connection.execute(
                """
                UPDATE flags f SET state = u.st, severity = u.sev, evidence = u.ev::jsonb,
                                   evidence_digest = decode(nullif(u.dg, ''), 'hex'),
                                   charter_version_id = CASE WHEN u.cv = 0 THEN f.charter_version_id ELSE u.cv END,
                                   return_version_id = coalesce(nullif(u.rv, 0), f.return_version_id),
                                   updated_at = now()
                FROM unnest(\(updates.map(\.id))::bigint[], \(updates.map(\.state.rawValue))::text[],
                            \(updates.map(\.severity))::text[], \(updates.map(\.evidence))::text[],
                            \(updates.map { $0.digest ?? "" })::text[],
                            \(updates.map(\.charter))::bigint[], \(updates.map { $0.version ?? 0 })::bigint[])
                     AS u (id, st, sev, ev, dg, cv, rv)
                WHERE f.id = u.id
                """)
        }
        if !events.isEmpty {
            try await connection.execute(
                """
                INSERT INTO flag_events (flag_id, actor, kind, from_state, to_state, note)
                SELECT id, \(actor), kind, nullif(from_state, ''), nullif(to_state, ''), nullif(note, '')
                FROM unnest(\(events.map(\.flagID))::bigint[], \(events.map(\.kind))::text[],
                            \(events.map { $0.from?.rawValue ?? "" })::text[],
                            \(events.map { $0.to?.rawValue ?? "" })::text[], \(events.map { $0.note ?? "" })::text[])
                     AS e (id, kind, from_state, to_state, note)
                """)
        }
    }

    /// Two JSON texts with the same content (jsonb reorders keys and spacing).
    static func sameJSON(_ stored: String, _ fresh: String) -> Bool {
        guard let a = try? JSONSerialization.jsonObject(with: Data(stored.utf8)),
            let b = try? JSONSerialization.jsonObject(with: Data(fresh.utf8))
        else { return stored == fresh }
        return NSDictionary(dictionary: ["v": a]).isEqual(to: ["v": b])
    }
}

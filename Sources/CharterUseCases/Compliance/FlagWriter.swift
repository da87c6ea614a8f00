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
        var period: ReportingPeriod
        var findings: [Finding]
        var charterVersionID: Int64
        var returnVersionID: Int64?
        /// The (employer, period) may have flags already; false only when the caller read that it has none,
        /// so there is nothing to read (or lock) before writing what the rules found.
        var mayHaveFlags = true
    }

    /// A flag of a judged (employer, period) as stored, before the run changes it.
    private struct Existing {
        var id: Int64
        var state: FlagState
        var severity: String
        var evidence: String
        /// Hex SHA-256 of the evidence as a run last encoded it; nil before migration 0008.
        var digest: String?
    }

    /// A flag's identity: one flag per employer, period, standard and subject.
    private typealias Key = Flag.Identity

    /// A finding's evidence as stored (JSON text) and the hex SHA-256 of that text.
    struct Encoded: Sendable {
        var evidence: String
        var digest: String
    }

    /// A flag the rules found for the first time.
    private struct NewFlag {
        var key: Key
        var severity: String
        var evidence: String
        var digest: String
        var charterVersionID: Int64
        var returnVersionID: Int64?
    }

    /// New state, figures or judgement for an existing flag; a charter version of 0 keeps the stored one.
    private struct Update {
        var id: Int64
        var state: FlagState
        var severity: String
        var evidence: String
        var digest: String?
        var charterVersionID: Int64
        var returnVersionID: Int64?
    }

    private struct Event {
        var flagID: Int64
        var kind: String
        var from: FlagState?
        var to: FlagState?
        var note: String?
    }

    /// What a batch calls for: the writes, decided before any is made.
    private struct Plan {
        var inserts: [NewFlag] = []
        var updates: [Update] = []
        /// Events of existing flags (a new flag keeps its opening on its own row).
        var events: [Event] = []
        var tally = Tally()
    }

    /// What a batch's writes change, for the run's report.
    struct Tally: Sendable {
        var opened = 0
        var reopened = 0
        var cleared = 0
        var updated = 0
        var unchanged = 0
        var changes: [FlagChange] = []

        func add(to report: inout ComplianceRunReport) {
            report.flagsOpened += opened
            report.flagsReopened += reopened
            report.flagsCleared += cleared
            report.flagsUpdated += updated
            report.flagsUnchanged += unchanged
            report.changes += changes
        }
    }

    /// A batch's writes decided and bound, ready to be sent, and what they change.
    struct Writes: Sendable {
        var statements: [PGQuery] = []
        var tally = Tally()

        /// Sends the statements, in order, and adds what they change to `report`.
        func run(report: inout ComplianceRunReport, on connection: PGConnection) async throws {
            for statement in statements {
                try await connection.execute(statement)
            }
            tally.add(to: &report)
        }
    }

    /// Brings the flags of every judged (employer, period) of `batch` in line with its findings, adding to
    /// `report` what changed: read the flags (locked), decide each change through `FlagTransitions`, then
    /// write the new flags, the changed ones and their events — one statement each.
    static func reconcile(
        _ batch: [Judged], actor: String, report: inout ComplianceRunReport, on connection: PGConnection
    ) async throws {
        try await reconcile(
            batch, encoded: try await encodeEvidence(of: batch), actor: actor, report: &report, on: connection)
    }

    /// As above, with the findings' evidence already encoded (`encodeEvidence(of:)`), which a caller can do
    /// on the cores while its connection is busy with other writes.
    static func reconcile(
        _ batch: [Judged], encoded: [[Encoded]], actor: String, report: inout ComplianceRunReport,
        on connection: PGConnection
    ) async throws {
        guard !batch.isEmpty else { return }
        let existing = try await readExisting(of: batch, on: connection)
        try await writes(for: batch, encoded: encoded, existing: existing, actor: actor).run(
            report: &report, on: connection)
    }

    /// A batch's flag writes decided as far as they can be without a connection: the pairs known to have no
    /// flags yet (`mayHaveFlags` false) need none read, so every finding of theirs is a new flag, decided and
    /// bound here; the others wait for their flags to be read (`write`).
    struct Prepared: Sendable {
        var unflagged = Writes()
        var flagged: [Judged] = []
        var flaggedEncoded: [[Encoded]] = []

        /// Sends the new flags of the unflagged pairs, then brings the others' in line, adding to `report`.
        func write(actor: String, report: inout ComplianceRunReport, on connection: PGConnection) async throws {
            try await unflagged.run(report: &report, on: connection)
            try await reconcile(flagged, encoded: flaggedEncoded, actor: actor, report: &report, on: connection)
        }
    }

    /// `batch` with its evidence encoded (`encodeEvidence(of:)`), prepared on the cores so that its
    /// connection only sends the writes (`Prepared.write`).
    static func prepare(_ batch: [Judged], encoded: [[Encoded]], actor: String) throws -> Prepared {
        var prepared = Prepared()
        var unflagged: [Judged] = []
        var unflaggedEncoded: [[Encoded]] = []
        for (judged, evidence) in zip(batch, encoded) {
            if judged.mayHaveFlags {
                prepared.flagged.append(judged)
                prepared.flaggedEncoded.append(evidence)
            } else {
                unflagged.append(judged)
                unflaggedEncoded.append(evidence)
            }
        }
        prepared.unflagged = try writes(for: unflagged, encoded: unflaggedEncoded, existing: [:], actor: actor)
        return prepared
    }

    /// Decides each change through `FlagTransitions` and binds the statements that make them: the new flags
    /// (with their events), the changed ones, and the changed ones' events.
    private static func writes(
        for batch: [Judged], encoded: [[Encoded]], existing: [Key: Existing], actor: String
    ) throws -> Writes {
        var plan = Plan()
        let seen = try decideFound(batch, encoded: encoded, existing: existing, plan: &plan)
        if !existing.isEmpty {
            try decideCleared(batch, existing: existing, seen: seen, plan: &plan)
        }
        var writes = Writes(tally: plan.tally)
        writes.statements = [
            newFlagsStatement(plan.inserts, actor: actor), changesStatement(plan.updates),
            eventsStatement(plan.events, actor: actor),
        ].compactMap { $0 }
        return writes
    }

    /// Every flag of the batch's (employer, period) pairs, locked (`FOR UPDATE`) so a person's action
    /// on one of them waits for the run, and is then judged on the state the run left.
    private static func readExisting(of batch: [Judged], on connection: PGConnection) async throws -> [Key: Existing] {
        var existing: [Key: Existing] = [:]
        let batch = batch.filter(\.mayHaveFlags)
        guard !batch.isEmpty else { return existing }
        for row in try await connection.query(
            """
            SELECT f.id, f.employer_id, f.period, f.standard_id, f.subject, f.state, f.severity,
                   f.evidence::text AS evidence, encode(f.evidence_digest, 'hex') AS digest
            FROM flags f
            JOIN unnest(\(batch.map(\.employerID))::bigint[], \(batch.map(\.period.description))::text[])
                 AS s (employer_id, period)
              ON f.employer_id = s.employer_id AND f.period = s.period
            FOR UPDATE OF f
            """)
        {
            guard let state = FlagState(rawValue: try row.decode(String.self, column: "state")) else { continue }
            let periodText = try row.decode(String.self, column: "period")
            guard let period = ReportingPeriod(periodText) else {
                throw CharterStoreError(.invalid, "a flag has the unreadable period \"\(periodText)\"")
            }
            let key = Key(
                employerID: try row.decode(Int64.self, column: "employer_id"),
                standardID: try row.decode(String.self, column: "standard_id"), period: period,
                subject: try row.decode(String.self, column: "subject"))
            existing[key] = Existing(
                id: try row.decode(Int64.self, column: "id"), state: state,
                severity: try row.decode(String.self, column: "severity"),
                evidence: try row.decode(String.self, column: "evidence"),
                digest: try row.decode(String?.self, column: "digest"))
        }
        return existing
    }

    /// Each finding's evidence as stored and its digest, encoded on every core: the encoding is pure,
    /// and most of the time the decisions take.
    static func encodeEvidence(of batch: [Judged]) async throws -> [[Encoded]] {
        try await batch.concurrentMap { judged in
            judged.findings.map { finding in
                let json = finding.evidence.jsonData()
                return Encoded(
                    evidence: String(decoding: json, as: UTF8.self), digest: Array(SHA256.hash(data: json)).hex)
            }
        }
    }

    /// Plans what each finding calls for — a new flag, a cleared flag's reappearance, new figures, or
    /// nothing — and returns the keys found (a repeated finding counts once).
    private static func decideFound(
        _ batch: [Judged], encoded: [[Encoded]], existing: [Key: Existing], plan: inout Plan
    ) throws -> Set<Key> {
        var seen: Set<Key> = []
        for (judged, encodings) in zip(batch, encoded) {
            let versionNote = judged.returnVersionID.map { "return version \($0)" } ?? "no return"
            for (finding, encoding) in zip(judged.findings, encodings) {
                let key = Key(
                    employerID: judged.employerID, standardID: finding.standardID, period: judged.period,
                    subject: finding.subject)
                guard seen.insert(key).inserted else { continue }
                let severity = finding.severity.rawValue
                guard let flag = existing[key] else {
                    plan.inserts.append(
                        NewFlag(
                            key: key, severity: severity, evidence: encoding.evidence, digest: encoding.digest,
                            charterVersionID: judged.charterVersionID, returnVersionID: judged.returnVersionID))
                    plan.tally.opened += 1
                    record(.opened, key, severity, in: &plan.tally)
                    continue
                }
                var state = flag.state
                if flag.state == .cleared {
                    state = try FlagTransitions.apply(.reappear, to: .cleared, by: .system, note: nil)
                    plan.events.append(
                        Event(
                            flagID: flag.id, kind: "transition", from: .cleared, to: state,
                            note: "the breach is back in \(versionNote)"))
                    plan.tally.reopened += 1
                    record(.reopened, key, severity, in: &plan.tally)
                }
                // The digest settles it unless the flag predates digests or was encoded differently.
                let sameFacts =
                    flag.severity == severity
                    && (flag.digest == encoding.digest || sameJSON(flag.evidence, encoding.evidence))
                if state == flag.state && sameFacts {
                    plan.tally.unchanged += 1
                    continue
                }
                plan.updates.append(
                    Update(
                        id: flag.id, state: state, severity: severity, evidence: encoding.evidence,
                        digest: encoding.digest, charterVersionID: judged.charterVersionID,
                        returnVersionID: judged.returnVersionID))
                if state == flag.state {
                    plan.events.append(
                        Event(
                            flagID: flag.id, kind: "evidence", from: nil, to: nil,
                            note: "figures updated from \(versionNote)"))
                    plan.tally.updated += 1
                    record(.updated, key, severity, in: &plan.tally)
                }
            }
        }
        return seen
    }

    /// Plans the clearing of the active flags of the judged pairs that the rules no longer find.
    private static func decideCleared(
        _ batch: [Judged], existing: [Key: Existing], seen: Set<Key>, plan: inout Plan
    ) throws {
        struct Pair: Hashable {
            var employerID: Int64
            var period: ReportingPeriod
        }
        let judgedPairs = Dictionary(
            batch.map { (Pair(employerID: $0.employerID, period: $0.period), $0) },
            uniquingKeysWith: { first, _ in first })
        for (key, flag) in existing where !seen.contains(key) && flag.state.isActive {
            guard let judged = judgedPairs[Pair(employerID: key.employerID, period: key.period)] else { continue }
            let state = try FlagTransitions.apply(.clear, to: flag.state, by: .system, note: nil)
            plan.updates.append(
                Update(
                    id: flag.id, state: state, severity: flag.severity, evidence: flag.evidence, digest: flag.digest,
                    charterVersionID: judged.charterVersionID, returnVersionID: nil))
            plan.events.append(
                Event(
                    flagID: flag.id, kind: "transition", from: flag.state, to: state,
                    note: judged.returnVersionID.map { "not found in return version \($0)" } ?? "no longer found"))
            plan.tally.cleared += 1
            record(.cleared, key, flag.severity, in: &plan.tally)
        }
    }

    /// Adds one change to what a batch changes.
    private static func record(_ kind: FlagChange.Kind, _ key: Key, _ severity: String, in tally: inout Tally) {
        tally.changes.append(
            FlagChange(
                kind: kind, employerID: key.employerID, period: key.period.description, standardID: key.standardID,
                subject: key.subject, severity: severity))
    }

    /// The statement inserting the new flags in `FlagTransitions.raised`, each opened by `actor`: the opening
    /// is kept on the flag (`opened_by`, `opened_at`, and its id in the history from `flag_events`' sequence;
    /// migration 0028), where an `opened` event row cost every new flag another row, two index entries and a
    /// reference check.
    private static func newFlagsStatement(_ inserts: [NewFlag], actor: String) -> PGQuery? {
        guard !inserts.isEmpty else { return nil }
        return
            """
            INSERT INTO flags (employer_id, standard_id, period, subject, state, severity, evidence,
                               evidence_digest, charter_version_id, return_version_id, opened_by, opened_event_id)
            SELECT e, s, p, sub, \(FlagTransitions.raised.rawValue)::text, sev, ev::json, decode(dg, 'hex'), cv,
                   nullif(rv, 0), \(actor)::text, nextval('flag_events_id_seq')
            FROM unnest(\(inserts.map(\.key.employerID))::bigint[], \(inserts.map(\.key.standardID))::text[],
                        \(inserts.map(\.key.period.description))::text[], \(inserts.map(\.key.subject))::text[],
                        \(inserts.map(\.severity))::text[], \(inserts.map(\.evidence))::text[],
                        \(inserts.map(\.digest))::text[],
                        \(inserts.map(\.charterVersionID))::bigint[], \(inserts.map { $0.returnVersionID ?? 0 })::bigint[])
                 AS i (e, s, p, sub, sev, ev, dg, cv, rv)
            """
    }

    /// The statement writing the decided states, figures and judgements of existing flags.
    private static func changesStatement(_ updates: [Update]) -> PGQuery? {
        guard !updates.isEmpty else { return nil }
        return
            """
            UPDATE flags f SET state = u.st, severity = u.sev, evidence = u.ev::json,
                               evidence_digest = decode(nullif(u.dg, ''), 'hex'),
                               charter_version_id = CASE WHEN u.cv = 0 THEN f.charter_version_id ELSE u.cv END,
                               return_version_id = coalesce(nullif(u.rv, 0), f.return_version_id),
                               updated_at = now()
            FROM unnest(\(updates.map(\.id))::bigint[], \(updates.map(\.state.rawValue))::text[],
                        \(updates.map(\.severity))::text[], \(updates.map(\.evidence))::text[],
                        \(updates.map { $0.digest ?? "" })::text[],
                        \(updates.map(\.charterVersionID))::bigint[], \(updates.map { $0.returnVersionID ?? 0 })::bigint[])
                 AS u (id, st, sev, ev, dg, cv, rv)
            WHERE f.id = u.id
            """
    }

    /// The statement recording every planned change in each flag's history, as `actor`.
    private static func eventsStatement(_ events: [Event], actor: String) -> PGQuery? {
        guard !events.isEmpty else { return nil }
        return
            """
            INSERT INTO flag_events (flag_id, actor, kind, from_state, to_state, note)
            SELECT id, \(actor), kind, nullif(from_state, ''), nullif(to_state, ''), nullif(note, '')
            FROM unnest(\(events.map(\.flagID))::bigint[], \(events.map(\.kind))::text[],
                        \(events.map { $0.from?.rawValue ?? "" })::text[],
                        \(events.map { $0.to?.rawValue ?? "" })::text[], \(events.map { $0.note ?? "" })::text[])
                 AS e (id, kind, from_state, to_state, note)
            """
    }

    /// Two JSON texts with the same content: evidence written before migration 0029 was kept as jsonb, which
    /// reorders keys and spacing.
    static func sameJSON(_ stored: String, _ fresh: String) -> Bool {
        guard let a = try? JSONSerialization.jsonObject(with: Data(stored.utf8)),
            let b = try? JSONSerialization.jsonObject(with: Data(fresh.utf8))
        else { return stored == fresh }
        return NSDictionary(dictionary: ["v": a]).isEqual(to: ["v": b])
    }
}

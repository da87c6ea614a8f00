public import CharterDomain
import Foundation
public import PGClient

/// Reads what each email-ready report (SPEC §7) says from the database, as the plain values of
/// `CharterDomain/Reports`, on the caller's connection — inside the nightly run's or a flag action's
/// transaction, so a report sees the changes that cause it.
///
/// Every gatherer is a fixed number of set-based queries, whatever the number of employers, reps or
/// flags: no query per flag or per recipient.
///
/// **What changed since the last digest.** A digest's recipient (an employer, or a rep) has a "since":
/// when the last digest to them was queued (`outbox_messages.created_at` of the newest non-dead
/// message whose dedup key starts with the recipient's `DigestKey.prefix(for:)`). A flag's
/// change is read from its opening (`flags.opened_at`) and its `flag_events` after that instant:
/// - **new**: active (open, acknowledged, disputed) and opened after `since`, or reopened after it
///   (a transition to `open` from cleared, resolved or waived), or there was no digest before;
/// - **changed**: active, with any evidence, transition or response event after `since`;
/// - **unchanged**: active, nothing after `since` (listed so the digest shows what is still open);
/// - **cleared**: no longer active, having become cleared, resolved or waived after `since`
///   (`state` says which). Flags closed before `since` — and with no digest before, every closed
///   flag — are not listed: the reader has heard of them already or never had.
///
/// Events carry `now()` of their transaction, and a digest queued in the nightly run's transaction
/// has the same `created_at` as the events of that run, so `at > since` counts each event in exactly
/// one digest. (An action that commits after a run but started before it is stamped earlier than that
/// run's digest and is missed by the next digest's window; its notice has gone out on its own.)
public enum ReportGatherer {
    /// How far ahead a digest looks for returns falling due.
    public static let dueLookaheadDays = 31

    // MARK: Digests

    /// One digest per employer with contacts and something to say (a listed flag or a return falling
    /// due), as of `asOf`; only `employerIDs` when given.
    public static func employerDigests(
        asOf: CalendarDate, employerIDs: [Int64]? = nil, on connection: PGConnection
    ) async throws -> [EmployerDigest] {
        let ids = employerIDs ?? []
        let all = employerIDs == nil
        let recipients = try await connection.query(
            """
            SELECT e.id FROM employers e
            WHERE EXISTS (SELECT 1 FROM contacts c WHERE c.employer_id = e.id)
              AND (\(all)::boolean OR e.id = ANY(\(ids)::bigint[]))
            """
        ).map { DigestKey.Recipient.employer(try $0.decode(Int64.self, column: "id")) }
        let owners: PGQuery = """
            SELECT k.owner_id, k.owner_id AS employer_id, \(lastDigest) AS since
            FROM \(digestRecipients(recipients))
            """
        let flags = try await flagRows(owners: owners, forReps: false, on: connection)
        let due = try await dueReturns(
            asOf: asOf, employerIDs: employerIDs, withContactsOnly: true, on: connection
        ).mapValues { $0.filter { $0.due.daysUntilDue <= dueLookaheadDays } }
        let wanted = Set(flags.keys).union(due.filter { !$0.value.isEmpty }.keys)
        guard !wanted.isEmpty else { return [] }
        var names: [Int64: String] = [:]
        var contacts: [Int64: [ReportRecipient]] = [:]
        for row in try await connection.query(
            """
            SELECT e.id, e.name, c.name AS contact_name, c.email
            FROM employers e JOIN contacts c ON c.employer_id = e.id
            WHERE e.id = ANY(\(Array(wanted))::bigint[])
            ORDER BY e.id, c.id
            """)
        {
            let id = try row.decode(Int64.self, column: "id")
            names[id] = try row.decode(String.self, column: "name")
            contacts[id, default: []].append(
                ReportRecipient(
                    name: try row.decode(String.self, column: "contact_name"),
                    email: try row.decode(String.self, column: "email")))
        }
        return wanted.compactMap { id -> EmployerDigest? in
            guard let name = names[id], let recipients = contacts[id] else { return nil }
            return EmployerDigest(
                employerID: id, employerName: name, recipients: recipients, flags: flags[id] ?? [],
                dueReturns: (due[id] ?? []).map(\.due), asOf: asOf)
        }.sorted { ($0.employerName, $0.employerID) < ($1.employerName, $1.employerID) }
    }

    /// One digest per rep with something to say across every employer they cover, evidence
    /// suppressed for reps (`Evidence.forReps`); only `repIDs` when given.
    public static func repDigests(
        asOf: CalendarDate, repIDs: [Int64]? = nil, on connection: PGConnection
    ) async throws -> [RepDigest] {
        let ids = repIDs ?? []
        let all = repIDs == nil
        let recipients = try await connection.query(
            "SELECT r.id FROM reps r WHERE (\(all)::boolean OR r.id = ANY(\(ids)::bigint[]))"
        ).map { DigestKey.Recipient.rep(try $0.decode(Int64.self, column: "id")) }
        let owners: PGQuery = """
            SELECT k.owner_id, rc.employer_id, \(lastDigest) AS since
            FROM \(digestRecipients(recipients)) JOIN rep_coverage rc ON rc.rep_id = k.owner_id
            """
        let flags = try await flagRows(owners: owners, forReps: true, on: connection)
        guard !flags.isEmpty else { return [] }
        var digests: [RepDigest] = []
        for row in try await connection.query(
            "SELECT id, name, email FROM reps WHERE id = ANY(\(Array(flags.keys))::bigint[]) ORDER BY id")
        {
            let id = try row.decode(Int64.self, column: "id")
            var employers: [RepDigest.Employer] = []
            for flag in flags[id] ?? [] {
                if employers.last?.employerID == flag.employerID {
                    employers[employers.count - 1].flags.append(flag)
                } else {
                    employers.append(
                        RepDigest.Employer(employerID: flag.employerID, employerName: flag.employerName, flags: [flag]))
                }
            }
            digests.append(
                RepDigest(
                    repID: id,
                    recipient: ReportRecipient(
                        name: try row.decode(String.self, column: "name"),
                        email: try row.decode(String.self, column: "email")),
                    employers: employers, asOf: asOf))
        }
        return digests
    }

    /// `recipients` as rows `k (owner_id, kind, prefix)`: each recipient's id, the kind of its digests and
    /// the prefix `DigestKey` gives every digest key to it.
    static func digestRecipients(_ recipients: [DigestKey.Recipient]) -> PGQuery {
        """
        unnest(\(recipients.map(\.id))::bigint[], \(recipients.map(\.kind.rawValue))::text[],
               \(recipients.map(DigestKey.prefix(for:)))::text[]) AS k (owner_id, kind, prefix)
        """
    }

    /// When the last digest to the recipient of a `digestRecipients` row `k` was queued (a dead one
    /// does not count), or NULL when there was none.
    static let lastDigest: PGQuery = """
        (SELECT max(m.created_at) FROM outbox_messages m
         WHERE m.kind = k.kind AND m.state <> 'dead' AND starts_with(m.dedup_key, k.prefix))
        """

    /// The listed flags of each owner (employer or rep), classified as described on the type, in the
    /// order a report lists them: employer, severity (worst first), period (newest first), standard.
    ///
    /// `owners` yields `(owner_id, employer_id, since)`: which employers' flags belong to each owner and
    /// when the owner's last digest was queued.
    static func flagRows(owners: PGQuery, forReps: Bool, on connection: PGConnection) async throws
        -> [Int64: [ReportFlag]]
    {
        let rows = try await connection.query(
            """
            WITH owners AS (\(owners))
            SELECT * FROM (
                SELECT o.owner_id, f.id, f.employer_id, e.name AS employer_name, f.standard_id, st.title,
                       f.period, f.subject, f.severity, f.state, f.evidence::text AS evidence, f.opened_at,
                       f.updated_at,
                       CASE WHEN f.state IN ('open', 'acknowledged', 'disputed') THEN
                                CASE WHEN o.since IS NULL OR f.opened_at > o.since OR coalesce(x.reopened, false)
                                         THEN 'new'
                                     WHEN coalesce(x.changed, false) THEN 'changed'
                                     ELSE 'unchanged' END
                            WHEN coalesce(x.closed, false) THEN 'cleared'
                       END AS change
                FROM owners o
                JOIN flags f ON f.employer_id = o.employer_id
                JOIN employers e ON e.id = f.employer_id
                LEFT JOIN standards st ON st.charter_version_id = f.charter_version_id
                                      AND st.standard_id = f.standard_id
                LEFT JOIN LATERAL (
                    SELECT bool_or(fe.kind = 'transition' AND fe.to_state = 'open'
                                   AND fe.from_state IN ('cleared', 'resolved', 'waived')) AS reopened,
                           bool_or(fe.kind IN ('evidence', 'transition', 'response')) AS changed,
                           bool_or(fe.kind = 'transition' AND fe.to_state IN ('cleared', 'resolved', 'waived'))
                               AS closed
                    FROM flag_events fe WHERE fe.flag_id = f.id AND fe.at > o.since
                ) x ON true
            ) r
            WHERE change IS NOT NULL
            ORDER BY owner_id, employer_name, employer_id,
                     array_position(ARRAY['critical', 'breach', 'warning', 'info'], severity), period DESC,
                     standard_id, subject
            """)
        var result: [Int64: [ReportFlag]] = [:]
        for row in rows {
            let change = try row.decode(String.self, column: "change")
            result[try row.decode(Int64.self, column: "owner_id"), default: []].append(
                try reportFlag(row, change: ReportFlag.Change(rawValue: change) ?? .unchanged, forReps: forReps))
        }
        return result
    }

    /// A flag row (id, employer_id, employer_name, standard_id, title, period, subject, severity, state,
    /// evidence, opened_at, updated_at) as a report lists it; evidence suppressed when `forReps`.
    static func reportFlag(_ row: PGRow, change: ReportFlag.Change, forReps: Bool) throws -> ReportFlag {
        let periodText = try row.decode(String.self, column: "period")
        let severityText = try row.decode(String.self, column: "severity")
        let stateText = try row.decode(String.self, column: "state")
        guard let period = ReportingPeriod(periodText), let severity = Severity(rawValue: severityText),
            let state = FlagState(rawValue: stateText)
        else {
            throw CharterStoreError(.invalid, "a stored flag has a period, severity or state this version cannot read")
        }
        var lines: [String] = []
        if let evidence = try? Evidence(json: Data(try row.decode(String.self, column: "evidence").utf8)) {
            lines = (forReps ? evidence.forReps() : evidence).reportLines
        }
        let flag = Flag(
            id: try row.decode(Int64.self, column: "id"), employerID: try row.decode(Int64.self, column: "employer_id"),
            employerName: try row.decode(String.self, column: "employer_name"),
            standardID: try row.decode(String.self, column: "standard_id"),
            standardTitle: try row.decode(String?.self, column: "title"), period: period,
            subject: try row.decode(String.self, column: "subject"), state: state, severity: severity,
            openedAt: try row.decode(Date.self, column: "opened_at"),
            updatedAt: try row.decode(Date.self, column: "updated_at"))
        return ReportFlag(flag: flag, change: change, evidence: lines)
    }

    // MARK: Returns owed

    /// A return an employer owes, with the employer's name.
    struct OwedReturn {
        var employerID: Int64
        var employerName: String
        var due: DueReturn
    }

    /// Returns not received for the last four quarters, for employers whose pledge covers the
    /// period's snapshot, with due dates worked out as the nightly run does (the pledged charter
    /// version's `return_due_days`, moved to a working day); by employer, oldest period first.
    static func dueReturns(
        asOf: CalendarDate, employerIDs: [Int64]?, withContactsOnly: Bool, on connection: PGConnection
    ) async throws -> [Int64: [OwedReturn]] {
        var periods: [ReportingPeriod] = []
        var cursor = ReportingPeriod(containing: asOf)
        for _ in 0..<4 {
            periods.append(cursor)
            cursor = cursor.previous
        }
        let inForce = try await CharterVersionStore.versionsInForce(
            employerIDs: employerIDs, periods: periods, on: connection)
        guard !inForce.isEmpty else { return [:] }
        let rows = try await connection.query(
            """
            SELECT q.employer_id, e.name, q.charter_version_id, q.period
            FROM unnest(\(inForce.map(\.employerID))::bigint[], \(inForce.map(\.period.description))::text[],
                        \(inForce.map(\.charterVersionID))::bigint[]) AS q (employer_id, period, charter_version_id)
            JOIN employers e ON e.id = q.employer_id
            WHERE NOT EXISTS (SELECT 1 FROM returns r WHERE r.employer_id = q.employer_id AND r.period = q.period)
              AND (NOT \(withContactsOnly)::boolean OR EXISTS (SELECT 1 FROM contacts c WHERE c.employer_id = q.employer_id))
            ORDER BY q.employer_id, q.period
            """)
        guard !rows.isEmpty else { return [:] }
        let holidays = try await BankHolidays.load(on: connection)
        var versions: [Int64: CharterVersion] = [:]
        var result: [Int64: [OwedReturn]] = [:]
        for row in rows {
            let versionID = try row.decode(Int64.self, column: "charter_version_id")
            if versions[versionID] == nil {
                versions[versionID] = try await CharterVersionStore.version(id: versionID, on: connection)
            }
            guard let version = versions[versionID],
                let period = ReportingPeriod(try row.decode(String.self, column: "period"))
            else { continue }
            let dueDate = version.dueDate(of: period, holidays: holidays)
            let employerID = try row.decode(Int64.self, column: "employer_id")
            result[employerID, default: []].append(
                OwedReturn(
                    employerID: employerID, employerName: try row.decode(String.self, column: "name"),
                    due: DueReturn(period: period, dueDate: dueDate, daysUntilDue: asOf.days(until: dueDate))))
        }
        return result
    }

    // MARK: Reminders

    /// The reminders due on `asOf`: one for each return not received whose due date is exactly 14 or 3
    /// days ahead, or 1 or 14 days behind, for employers with contacts and a pledge covering the period.
    public static func reminders(asOf: CalendarDate, on connection: PGConnection) async throws -> [ReturnReminder] {
        let owed = try await dueReturns(asOf: asOf, employerIDs: nil, withContactsOnly: true, on: connection)
        let matching = owed.values.joined().compactMap { item -> (OwedReturn, ReturnReminder.Step)? in
            guard
                let step = ReturnReminder.Step.allCases.first(where: { -$0.offsetFromDueDate == item.due.daysUntilDue })
            else { return nil }
            return (item, step)
        }
        guard !matching.isEmpty else { return [] }
        let contacts = try await contacts(of: Set(matching.map(\.0.employerID)), on: connection)
        return matching.compactMap { item, step in
            guard let recipients = contacts[item.employerID] else { return nil }
            return ReturnReminder(
                employerID: item.employerID, employerName: item.employerName, recipients: recipients, due: item.due,
                step: step, asOf: asOf)
        }.sorted { ($0.employerID, $0.due.period) < ($1.employerID, $1.due.period) }
    }

    /// Each employer's contacts, in the order they were added.
    static func contacts(of employers: Set<Int64>, on connection: PGConnection) async throws
        -> [Int64: [ReportRecipient]]
    {
        var result: [Int64: [ReportRecipient]] = [:]
        for row in try await connection.query(
            "SELECT employer_id, name, email FROM contacts WHERE employer_id = ANY(\(Array(employers))::bigint[]) ORDER BY id"
        ) {
            result[try row.decode(Int64.self, column: "employer_id"), default: []].append(
                ReportRecipient(
                    name: try row.decode(String.self, column: "name"),
                    email: try row.decode(String.self, column: "email")))
        }
        return result
    }

    // MARK: Weekly summary

    /// The charter team's summary of the week before `weekEnding` (Europe/London days
    /// `weekEnding - 7 ..< weekEnding`), addressed to every enabled admin user; nil when there is none
    /// to send it to.
    public static func weeklySummary(weekEnding: CalendarDate, on connection: PGConnection) async throws
        -> WeeklySummary?
    {
        let recipients = try await connection.query(
            "SELECT display_name, email FROM users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id"
        ).map {
            ReportRecipient(
                name: try $0.decode(String.self, column: "display_name"),
                email: try $0.decode(String.self, column: "email"))
        }
        guard !recipients.isEmpty else { return nil }
        let start = weekEnding.adding(days: -7).start(in: .europeLondon)
        let end = weekEnding.start(in: .europeLondon)
        let week = try await connection.query(
            """
            SELECT
              (SELECT count(DISTINCT employer_id) FROM pledges
               WHERE daterange(valid_from, valid_to, '[)') @> \(weekEnding.description)::date) AS pledged,
              (SELECT count(DISTINCT return_id) FROM return_versions
               WHERE received_at >= \(start) AND received_at < \(end)) AS received,
              (SELECT count(*) FROM flags WHERE opened_at >= \(start) AND opened_at < \(end))
              + (SELECT count(*) FROM flag_events
                 WHERE at >= \(start) AND at < \(end) AND kind = 'transition' AND to_state = 'open'
                   AND from_state IN ('cleared', 'resolved', 'waived')) AS opened,
              (SELECT count(*) FROM flag_events
               WHERE at >= \(start) AND at < \(end) AND kind = 'transition' AND to_state = 'cleared') AS cleared,
              (SELECT encode(row_hash, 'hex') FROM audit_head) AS head,
              (SELECT count(*) FROM audit_log) AS audit_rows
            """)[0]
        func counts(_ query: PGQuery) async throws -> [WeeklySummary.Count] {
            try await connection.query(query).map {
                WeeklySummary.Count(
                    label: try $0.decode(String.self, column: "label"), count: try $0.decode(Int.self, column: "n"))
            }
        }
        let bySeverity = try await counts(
            """
            SELECT severity AS label, count(*) AS n FROM flags WHERE state IN ('open', 'acknowledged', 'disputed')
            GROUP BY severity ORDER BY array_position(ARRAY['critical', 'breach', 'warning', 'info'], severity)
            """)
        let byState = try await counts("SELECT state AS label, count(*) AS n FROM flags GROUP BY state ORDER BY state")
        let missing = try await dueReturns(
            asOf: weekEnding, employerIDs: nil, withContactsOnly: false, on: connection
        ).values.joined().filter { $0.due.daysUntilDue < 0 }.map {
            WeeklySummary.MissingReturn(employerID: $0.employerID, employerName: $0.employerName, due: $0.due)
        }.sorted { ($0.employerName, $0.employerID, $0.due.period) < ($1.employerName, $1.employerID, $1.due.period) }
        return WeeklySummary(
            recipients: recipients, weekEnding: weekEnding,
            employersPledged: try week.decode(Int.self, column: "pledged"),
            returnsReceivedThisWeek: try week.decode(Int.self, column: "received"),
            flagsOpenedThisWeek: try week.decode(Int.self, column: "opened"),
            flagsClearedThisWeek: try week.decode(Int.self, column: "cleared"), openFlagsBySeverity: bySeverity,
            flagsByState: byState, missingReturns: missing,
            auditChainHead: try week.decode(String.self, column: "head"),
            auditRows: try week.decode(Int.self, column: "audit_rows"))
    }

    // MARK: Flag notices

    /// The notices flag event `eventID` calls for, one per recipient: an employer's response or
    /// dispute goes to every rep covering the employer (evidence suppressed), a resolution to the
    /// employer's contacts (evidence in full). Any other event calls for none.
    public static func flagNotices(eventID: Int64, on connection: PGConnection) async throws -> [FlagNotice] {
        guard
            let row = try await connection.query(
                """
                SELECT fe.kind AS event_kind, fe.to_state, fe.actor, fe.note,
                       f.id, f.employer_id, e.name AS employer_name, f.standard_id, st.title, f.period, f.subject,
                       f.severity, f.state, f.evidence::text AS evidence, f.opened_at, f.updated_at
                FROM flag_events fe
                JOIN flags f ON f.id = fe.flag_id
                JOIN employers e ON e.id = f.employer_id
                LEFT JOIN standards st ON st.charter_version_id = f.charter_version_id AND st.standard_id = f.standard_id
                WHERE fe.id = \(eventID)
                """
            ).first
        else { return [] }
        let event: FlagNotice.Event
        switch (try row.decode(String.self, column: "event_kind"), try row.decode(String?.self, column: "to_state")) {
        case ("response", _): event = .responded
        case ("transition", "disputed"): event = .disputed
        case ("transition", "resolved"): event = .resolved
        default: return []
        }
        let employerID = try row.decode(Int64.self, column: "employer_id")
        let toReps = event != .resolved
        let recipients: [ReportRecipient]
        if toReps {
            recipients = try await connection.query(
                """
                SELECT r.name, r.email FROM rep_coverage rc JOIN reps r ON r.id = rc.rep_id
                WHERE rc.employer_id = \(employerID) ORDER BY r.id
                """
            ).map {
                ReportRecipient(
                    name: try $0.decode(String.self, column: "name"), email: try $0.decode(String.self, column: "email")
                )
            }
        } else {
            recipients = try await contacts(of: [employerID], on: connection)[employerID] ?? []
        }
        let flag = try reportFlag(row, change: .changed, forReps: toReps)
        // The employer speaks as itself; a rep or admin by the actor recorded on the event.
        let actor = toReps ? flag.employerName : try row.decode(String.self, column: "actor")
        let note = try row.decode(String?.self, column: "note")
        return recipients.map {
            FlagNotice(flag: flag, event: event, actor: actor, note: note, flagEventID: eventID, recipients: [$0])
        }
    }
}

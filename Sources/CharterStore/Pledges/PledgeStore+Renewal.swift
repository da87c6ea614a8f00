public import CharterDomain
import Foundation
public import PGClient

/// An accredited pledge in force, with the term its charter version gives the accreditation (SPEC §10
/// "Renewal").
public struct AccreditedPledge: Sendable, Hashable {
    public var id: Int64
    public var employerID: Int64
    public var employerName: String
    public var validFrom: CalendarDate
    public var validTo: CalendarDate?
    /// From the charter version's `accreditation_months`, 24 when it sets none.
    public var term: AccreditationTerm

    /// The first day the accreditation no longer applies unless renewed.
    public var lapseDate: CalendarDate { term.lapseDate(start: validFrom) }

    /// What is due on `day`: a reminder rung, the lapse, or nothing. A pledge already set to end on or
    /// before its lapse day ends by itself, and calls for nothing.
    public func step(on day: CalendarDate) -> AccreditationTerm.Step {
        if let validTo, validTo <= lapseDate { return .none }
        return AccreditationTerm.step(daysUntilLapse: day.days(until: lapseDate))
    }
}

/// What lapsing an accreditation did: the notice it made, and whether the notice was queued.
public struct LapsedAccreditation: Sendable, Hashable {
    public var notice: AccreditationLapse
    /// False when the employer has no contacts, no mail queue was given, or the notice could not be
    /// rendered (the queue logs why).
    public var emailQueued: Bool
}

extension PledgeStore {
    /// The accredited pledges in force on `day` that no newer accredited pledge of the same employer
    /// follows (one that does is a renewal already decided), with each one's accreditation term.
    public func accreditedInForce(on day: CalendarDate) async throws -> [AccreditedPledge] {
        try await pool.withConnection { try await Self.accreditedInForce(on: day, pledgeID: nil, lock: false, on: $0) }
    }

    /// `accreditedInForce(on:)` on `connection`; only pledge `pledgeID` when given, locked with `lock`.
    static func accreditedInForce(
        on day: CalendarDate, pledgeID: Int64?, lock: Bool, on connection: PGConnection
    ) async throws -> [AccreditedPledge] {
        let locking: PGQuery = lock ? "FOR UPDATE OF p" : ""
        let rows = try await connection.query(
            """
            SELECT p.id, p.employer_id, e.name, p.valid_from::text AS valid_from, p.valid_to::text AS valid_to,
                   CASE WHEN jsonb_typeof(v.params -> 'accreditation_months') = 'number'
                        THEN (v.params ->> 'accreditation_months')::float8 END AS accreditation_months
            FROM pledges p
            JOIN employers e ON e.id = p.employer_id
            JOIN charter_versions v ON v.id = p.charter_version_id
            WHERE p.tier = 'accredited'
              AND daterange(p.valid_from, p.valid_to, '[)') @> \(day.description)::date
              AND (\(pledgeID)::bigint IS NULL OR p.id = \(pledgeID))
              AND NOT EXISTS (
                  SELECT 1 FROM pledges n
                  WHERE n.employer_id = p.employer_id AND n.tier = 'accredited' AND n.valid_from > p.valid_from)
            ORDER BY p.employer_id, p.id
            \(locking)
            """
        )
        return try rows.map { row in
            let from = try row.decode(String.self, column: "valid_from")
            guard let validFrom = CalendarDate(iso: from) else {
                throw CharterStoreError(.invalid, "stored pledge start \(from) is not a date")
            }
            return AccreditedPledge(
                id: try row.decode(Int64.self, column: "id"),
                employerID: try row.decode(Int64.self, column: "employer_id"),
                employerName: try row.decode(String.self, column: "name"),
                validFrom: validFrom,
                validTo: try row.decode(String?.self, column: "valid_to").flatMap { CalendarDate(iso: $0) },
                term: AccreditationTerm(months: try row.decode(Double?.self, column: "accreditation_months")))
        }
    }

    /// Lapses the accreditation of pledge `pledgeID` if it is due on `asOf` (its lapse day has come and
    /// no renewal follows it), in one transaction: the accredited pledge ends on its lapse day, an
    /// aspiring pledge with the same Living Hours commitment and overrides continues from that day (to
    /// the accredited pledge's own end, if it had one) under the charter version in force then, both are
    /// audited, and the employer's contacts are emailed through `mail`.
    ///
    /// - Returns: nil when there is nothing to lapse: not due yet, renewed, or lapsed already (by a
    ///   concurrent run; the pledge row is locked, so only one of two runs lapses it).
    /// - Throws: a `CharterStoreError` when no published charter version is in force on the lapse day,
    ///   or the overrides would loosen that version's standards; nothing is changed then.
    public func lapse(
        pledgeID: Int64, asOf: CalendarDate, actor: String, mail: (any ReportQueuing)?
    ) async throws -> LapsedAccreditation? {
        try await pool.withTransaction { connection in
            guard
                let pledge = try await Self.accreditedInForce(on: asOf, pledgeID: pledgeID, lock: true, on: connection)
                    .first,
                pledge.step(on: asOf) == .lapse
            else { return nil }
            let lapseDate = pledge.lapseDate
            guard
                let versionID = try await connection.query(
                    """
                    SELECT id FROM charter_versions
                    WHERE status = 'published' AND effective_from <= \(lapseDate.description)::date
                    ORDER BY effective_from DESC, id DESC LIMIT 1
                    """
                ).first?.decode(Int64.self, column: "id"),
                let version = try await CharterVersionStore.version(id: versionID, on: connection)
            else {
                throw CharterStoreError(
                    .notFound,
                    "no published charter version is in force on \(lapseDate), so pledge \(pledgeID) of "
                        + "\(pledge.employerName) cannot continue as aspiring")
            }
            let stored = try await connection.query(
                "SELECT living_hours, overrides::text AS overrides FROM pledges WHERE id = \(pledgeID)")[0]
            let livingHours = try stored.decode(Bool.self, column: "living_hours")
            let overridesJSON = try stored.decode(String.self, column: "overrides")
            do {
                let overrides = try PledgeOverrides(json: Data(overridesJSON.utf8))
                try overrides.check(against: version.defaults)
            } catch {
                throw CharterStoreError(
                    .invalid,
                    "pledge \(pledgeID) of \(pledge.employerName) cannot continue as aspiring under "
                        + "\(version.label): \(error)")
            }
            try await connection.execute(
                "UPDATE pledges SET valid_to = \(lapseDate.description)::date WHERE id = \(pledgeID)")
            let aspiringID = try await connection.query(
                """
                INSERT INTO pledges (employer_id, charter_version_id, tier, living_hours, overrides, valid_from, valid_to)
                VALUES (\(pledge.employerID), \(versionID), 'aspiring', \(livingHours), \(overridesJSON)::jsonb,
                        \(lapseDate.description)::date, \(pledge.validTo?.description)::date)
                RETURNING id
                """
            )[0].decode(Int64.self, column: "id")
            try await AuditTrail.append(
                on: connection, actor: actor, action: "pledge.lapse", entity: "pledge", entityID: String(pledgeID),
                details: [
                    "employer_id": pledge.employerID, "valid_to": lapseDate.description,
                    "accreditation_months": pledge.term.months, "aspiring_pledge_id": aspiringID,
                ])
            try await AuditTrail.append(
                on: connection, actor: actor, action: "pledge.add", entity: "pledge", entityID: String(aspiringID),
                details: [
                    "employer_id": pledge.employerID, "charter_version_id": versionID, "tier": Tier.aspiring.rawValue,
                    "living_hours": livingHours, "valid_from": lapseDate.description,
                    "valid_to": pledge.validTo?.description ?? "", "lapsed_pledge_id": pledgeID,
                ])
            let recipients =
                try await ReportGatherer.contacts(of: [pledge.employerID], on: connection)[
                    pledge.employerID] ?? []
            let notice = AccreditationLapse(
                employerID: pledge.employerID, employerName: pledge.employerName, recipients: recipients,
                pledgeID: pledgeID, aspiringPledgeID: aspiringID, lapseDate: lapseDate, charterVersion: version.label)
            var queued = false
            if let mail, !recipients.isEmpty {
                queued = try await mail.queue(.accreditationLapsed(notice), on: connection)
            }
            return LapsedAccreditation(notice: notice, emailQueued: queued)
        }
    }
}

extension ReportGatherer {
    /// The accreditation reminders due on `asOf` (the `accreditation-renewals` job): for each accredited
    /// pledge in force whose lapse is 90 days away or less but not yet come, the reminder of its rung
    /// (90…31 days: 90, 30…8: 30, 7…1: 7; the outbox key per pledge and rung sends each once), to the
    /// employer's contacts. Employers without contacts are left out.
    public static func accreditationReminders(asOf: CalendarDate, on connection: PGConnection) async throws
        -> [AccreditationReminder]
    {
        let due = try await PledgeStore.accreditedInForce(on: asOf, pledgeID: nil, lock: false, on: connection)
            .compactMap { pledge -> (AccreditedPledge, AccreditationTerm.Rung)? in
                guard case .reminder(let rung) = pledge.step(on: asOf) else { return nil }
                return (pledge, rung)
            }
        guard !due.isEmpty else { return [] }
        let contacts = try await contacts(of: Set(due.map(\.0.employerID)), on: connection)
        return due.compactMap { pledge, rung in
            guard let recipients = contacts[pledge.employerID] else { return nil }
            return AccreditationReminder(
                employerID: pledge.employerID, employerName: pledge.employerName, recipients: recipients,
                pledgeID: pledge.id, rung: rung, lapseDate: pledge.lapseDate, asOf: asOf)
        }
    }
}

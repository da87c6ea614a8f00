public import CharterDomain
import Foundation
public import PGClient

extension ReportGatherer {
    /// `preview(kind:recipient:asOf:eventID:on:)` in a read-only transaction that is rolled back: a
    /// preview can never write, whatever a gatherer does.
    public static func preview(
        kind: ReportKind, recipient: String?, asOf: CalendarDate, eventID: Int64?, pool: PGPool
    ) async throws -> Report? {
        try await pool.withConnection { connection in
            try await connection.simpleQuery("BEGIN READ ONLY")
            do {
                let report = try await preview(
                    kind: kind, recipient: recipient, asOf: asOf, eventID: eventID, on: connection)
                try await connection.simpleQuery("ROLLBACK")
                return report
            } catch {
                try? await connection.simpleQuery("ROLLBACK")
                throw error
            }
        }
    }

    /// The report of `kind` that `recipient` would get as of `asOf`, as the jobs would gather it now,
    /// for `charterctl reports preview`; nil when there is none (nothing to say, or not their day).
    ///
    /// `recipient` is an employer id (employer digest, reminder, accreditation reminder), a rep's id or email (rep digest), an
    /// admin's email or nothing (weekly summary: the summary as sent to every admin), or a recipient's
    /// email (flag notice of flag event `eventID`). Reads only.
    public static func preview(
        kind: ReportKind, recipient: String?, asOf: CalendarDate, eventID: Int64?, on connection: PGConnection
    ) async throws -> Report? {
        let recipient = recipient?.trimmingCharacters(in: .whitespaces)
        func employerID() throws -> Int64 {
            guard let recipient, let id = Int64(recipient) else {
                throw CharterStoreError(.invalid, "a \(kind.rawValue) is addressed by employer id (--recipient ID)")
            }
            return id
        }
        switch kind {
        case .employerDigest:
            return try await employerDigests(asOf: asOf, employerIDs: [employerID()], on: connection).first.map {
                .employerDigest($0)
            }
        case .repDigest:
            guard let recipient,
                let row = try await connection.query(
                    "SELECT id FROM reps WHERE id::text = \(recipient) OR lower(email) = lower(\(recipient)) LIMIT 1"
                ).first
            else { throw CharterStoreError(.notFound, "there is no rep \(recipient ?? "")") }
            let id = try row.decode(Int64.self, column: "id")
            return try await repDigests(asOf: asOf, repIDs: [id], on: connection).first.map { .repDigest($0) }
        case .reminder:
            let id = try employerID()
            return try await reminders(asOf: asOf, on: connection).first { $0.employerID == id }.map { .reminder($0) }
        case .weeklySummary:
            guard let summary = try await weeklySummary(weekEnding: asOf, on: connection) else { return nil }
            if let recipient, !recipient.isEmpty {
                guard summary.recipients.contains(where: { $0.email.lowercased() == recipient.lowercased() }) else {
                    throw CharterStoreError(.notFound, "\(recipient) is not an admin who receives the weekly summary")
                }
            }
            return .weeklySummary(summary)
        case .flagNotice:
            guard let eventID else {
                throw CharterStoreError(.invalid, "a flag notice is about one flag event (--event ID)")
            }
            let notices = try await flagNotices(eventID: eventID, on: connection)
            let wanted = recipient?.lowercased()
            return notices.first { wanted == nil || $0.recipients.contains { $0.email.lowercased() == wanted } }
                .map { .flagNotice($0) }
        case .invitation:
            // Its link is a secret made when the invitation is sent; there is nothing to gather.
            throw CharterStoreError(
                .invalid, "an invitation is sent from the users page when a person is invited; it has no preview")
        case .accreditationReminder:
            let id = try employerID()
            return try await accreditationReminders(asOf: asOf, on: connection).first { $0.employerID == id }.map {
                .accreditationReminder($0)
            }
        case .accreditationLapsed:
            // Gathering it is lapsing the pledge, which a preview must not do.
            throw CharterStoreError(
                .invalid,
                "an accreditation-lapsed notice is sent when the accreditation-renewals job lapses a pledge; "
                    + "it has no preview")
        case .application:
            // Each is sent by a step of an application (some carry its one-time link); nothing to gather.
            throw CharterStoreError(
                .invalid,
                "an application's emails are sent by its steps (apply, submit, ask for more, decide); they have no preview"
            )
        }
    }
}

import CharterAccess
public import CharterDomain
public import Foundation
import PGClient

extension ApplicationStore {
    /// The charter team's view of one standard of a submitted application, with an optional note.
    public func review(
        id: Int64, standardID: String, verdict: StandardVerdict, note: String?, actor: String, now: Date = Date()
    ) async throws {
        if let note, let problem = TextField.applicationNote.problem(with: note) {
            throw ApplicationProblems([ApplicationProblem(field: "note-\(standardID)", problem.asSentence)])
        }
        try await pool.withTransaction { connection in
            let application = try await Self.submitted(id, on: connection)
            guard application.standards.contains(where: { $0.standard.id == standardID }) else {
                throw CharterStoreError(.notFound, "application \(id) has no standard \(standardID.excerpt())")
            }
            try await connection.execute(
                """
                INSERT INTO application_reviews (application_id, standard_id, verdict, note, reviewed_by, reviewed_at)
                VALUES (\(id), \(standardID), \(verdict.rawValue), \(note), \(actor), \(now))
                ON CONFLICT (application_id, standard_id) DO UPDATE SET verdict = EXCLUDED.verdict,
                    note = EXCLUDED.note, reviewed_by = EXCLUDED.reviewed_by, reviewed_at = EXCLUDED.reviewed_at
                """)
            try await AuditTrail.append(
                on: connection, actor: actor, action: "application.review", entity: "application",
                entityID: String(id), details: ["standard_id": standardID, "verdict": verdict.rawValue])
        }
    }

    /// Sends a submitted application back to the applicant with `questions`; the email carries them and a
    /// link back in.
    public func askForMore(
        id: Int64, questions: String, actor: String, mail: any ReportQueuing, now: Date = Date()
    ) async throws {
        let questions = questions.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !questions.isEmpty else {
            throw ApplicationProblems([
                ApplicationProblem(field: "questions", "Write what the applicant should add or explain.")
            ])
        }
        if let problem = TextField.questions.problem(with: questions) {
            throw ApplicationProblems([ApplicationProblem(field: "questions", problem.asSentence)])
        }
        try await pool.withTransaction { connection in
            let application = try await Self.submitted(id, on: connection)
            let requestID = try await connection.query(
                """
                INSERT INTO application_requests (application_id, questions, asked_by, asked_at)
                VALUES (\(id), \(questions), \(actor), \(now)) RETURNING id
                """
            )[0].decode(Int64.self, column: "id")
            try await connection.execute("UPDATE applications SET status = 'more-requested' WHERE id = \(id)")
            try await AuditTrail.append(
                on: connection, actor: actor, action: "application.ask-for-more", entity: "application",
                entityID: String(id), details: ["request_id": requestID])
            try await Self.sendLink(
                .moreRequested, applicationID: id,
                recipient: ReportRecipient(name: application.applicantName, email: application.applicantEmail),
                organisation: application.details.organisationName, questions: questions, mail: mail, now: now,
                on: connection)
        }
    }

    /// Decides a submitted application, with reasons, in one transaction. Approval (`aspiring` or
    /// `accredited`) creates the employer — or updates the one the application is for, or the one
    /// with its company number — adds the contact, invites the applicant to set a password when they
    /// have no account, and starts the pledge at the decided tier from the decision date (a pledge in
    /// force then ends that day, its stricter overrides carried over). Each change is audited and the
    /// applicant is emailed the decision.
    ///
    /// - Throws: `ApplicationProblems` (field `reasons`) without reasons; `CharterStoreError` when the
    ///   application is not submitted or no charter version is in force; nothing changes then.
    public func decide(
        id: Int64, decision: ApplicationDecision, reasons: String, actor: String, mail: any ReportQueuing,
        now: Date = Date()
    ) async throws -> ApplicationOutcome {
        let reasons = reasons.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reasons.isEmpty else {
            throw ApplicationProblems([
                ApplicationProblem(field: "reasons", "Give the reasons for the decision; the applicant is sent them.")
            ])
        }
        if let problem = TextField.decisionReasons.problem(with: reasons) {
            throw ApplicationProblems([ApplicationProblem(field: "reasons", problem.asSentence)])
        }
        let today = CalendarDate(now, in: .europeLondon)
        return try await pool.withTransaction { connection in
            let application = try await Self.submitted(id, on: connection)
            var employerID = application.employerID
            var pledgeID: Int64?
            var invitedUserID: Int64?
            if let tier = decision.tier {
                let id = try await Self.approve(application, actor: actor, on: connection)
                employerID = id
                invitedUserID = try await Self.inviteApplicant(
                    application, employerID: id, actor: actor, mail: mail, now: now, on: connection)
                pledgeID = try await Self.pledge(
                    employerID: id, tier: tier, livingHours: application.details.livingHours, from: today,
                    actor: actor, on: connection)
            }
            try await connection.execute(
                """
                UPDATE applications SET status = 'decided', decision = \(decision.rawValue), reasons = \(reasons),
                    decided_by = \(actor), decided_at = \(now), employer_id = \(employerID)
                WHERE id = \(id)
                """)
            try await AuditTrail.append(
                on: connection, actor: actor, action: "application.decide", entity: "application",
                entityID: String(id),
                details: [
                    "decision": decision.rawValue, "employer_id": employerID ?? 0, "pledge_id": pledgeID ?? 0,
                    "invited_user_id": invitedUserID ?? 0,
                ])
            try await mail.queue(
                .application(
                    ApplicationNotice(
                        applicationID: id, step: .decided, serial: 1,
                        recipient: ReportRecipient(name: application.applicantName, email: application.applicantEmail),
                        organisation: application.details.organisationName, decision: decision, reasons: reasons)),
                on: connection)
            guard let decided = try await Self.find(id: id, on: connection) else {
                throw CharterStoreError(.notFound, "application \(id) vanished inside its own transaction")
            }
            return ApplicationOutcome(
                application: decided, employerID: employerID, pledgeID: pledgeID, invitedUserID: invitedUserID)
        }
    }

    /// The application locked for the charter team, refused unless it is submitted.
    static func submitted(_ id: Int64, on connection: PGConnection) async throws -> ApplicationRecord {
        guard let application = try await find(id: id, on: connection, lock: true) else {
            throw CharterStoreError(.notFound, "there is no application \(id)")
        }
        guard application.status == .submitted else {
            throw CharterStoreError(
                .conflict,
                "application \(id) is \(application.status.words); the charter team reviews and decides only a "
                    + "submitted application")
        }
        return application
    }

    /// The employer an approved application is for: the one it names, else the one with its company
    /// number, else a new one; its details from the application, and the contact added when new.
    static func approve(_ application: ApplicationRecord, actor: String, on connection: PGConnection) async throws
        -> Int64
    {
        let details = application.details
        var stored: Employer?
        if let employerID = application.employerID {
            stored = try await connection.query(
                "\(EmployerStore.selectEmployers) WHERE id = \(employerID) FOR UPDATE"
            ).first.map(EmployerStore.employer)
        } else if let number = details.companyNumber {
            stored = try await connection.query(
                "\(EmployerStore.selectEmployers) WHERE company_number = \(number.value) FOR UPDATE"
            ).first.map(EmployerStore.employer)
        }
        let sector = details.sector ?? .private
        let id: Int64
        if let before = stored, let employerID = before.id {
            var employer = before
            employer.name = details.organisationName
            employer.sector = sector
            employer.sizeBand = details.sizeBand ?? before.sizeBand
            employer.hasLondonWorkplaces = details.hasLondonWorkplaces ?? before.hasLondonWorkplaces
            try await EmployerStore.update(
                before, to: employer, actor: actor, context: ["application_id": application.id], on: connection)
            id = employerID
        } else {
            let employer = Employer(
                name: details.organisationName, companyNumber: details.companyNumber, sizeBand: details.sizeBand,
                sector: sector, hasLondonWorkplaces: details.hasLondonWorkplaces ?? false)
            id = try await EmployerStore.insert(employer, on: connection)
            try await AuditTrail.append(
                on: connection, actor: actor, action: "employer.add", entity: "employer", entityID: String(id),
                details: [
                    "name": employer.name, "company_number": employer.companyNumber?.value ?? "",
                    "application_id": application.id,
                ])
        }
        if let name = details.contactName, let email = details.contactEmail, let address = EmailAddress(email) {
            let known =
                try await connection.query(
                    "SELECT 1 FROM contacts WHERE employer_id = \(id) AND lower(email) = lower(\(address.text))"
                ).first != nil
            if !known {
                _ = try await EmployerStore.addContact(
                    employerID: id, name: name, address: address, role: details.contactRole, actor: actor,
                    on: connection)
            }
        }
        return id
    }

    /// Invites the applicant as a user of employer `employerID` when no user has their address; the
    /// user's id, or nil when they have an account already.
    static func inviteApplicant(
        _ application: ApplicationRecord, employerID: Int64, actor: String, mail: any ReportQueuing, now: Date,
        on connection: PGConnection
    ) async throws -> Int64? {
        guard let address = EmailAddress(application.applicantEmail) else { return nil }
        let existing = try await connection.query(
            "SELECT id FROM users WHERE lower(email) = lower(\(address.text))"
        ).first
        guard existing == nil else { return nil }
        return try await UserStore.invite(
            address: address, displayName: application.applicantName, role: .employer, employerID: employerID,
            repID: nil, by: actor, mail: mail, now: now, on: connection
        ).user.id
    }

    /// Starts the employer's pledge at `tier` from `day`; a pledge in force then ends that day, and its
    /// overrides (which only tighten) carry over.
    static func pledge(
        employerID: Int64, tier: Tier, livingHours: Bool, from day: CalendarDate, actor: String,
        on connection: PGConnection
    ) async throws -> Int64 {
        var overrides = PledgeOverrides()
        var livingHours = livingHours
        for current in try await connection.query(
            """
            SELECT id, valid_from::text AS valid_from, living_hours, overrides::text AS overrides FROM pledges
            WHERE employer_id = \(employerID) AND daterange(valid_from, valid_to, '[)') @> \(day.description)::date
            FOR UPDATE
            """)
        {
            let pledgeID = try current.decode(Int64.self, column: "id")
            if let parsed = try? PledgeOverrides(json: Data(try current.decode(String.self, column: "overrides").utf8))
            {
                overrides = parsed
            }
            let committed = try current.decode(Bool.self, column: "living_hours")
            livingHours = livingHours || committed
            if try current.decode(String.self, column: "valid_from") == day.description {
                throw CharterStoreError(
                    .conflict,
                    "employer \(employerID) has a pledge starting today already; end it on the employer's page "
                        + "before deciding again")
            }
            try await PledgeStore.end(id: pledgeID, employerID: employerID, day: day, actor: actor, on: connection)
        }
        // A pledge that starts later than the decision (planned ahead) would overlap; the exclusion
        // constraint refuses it with a sentence.
        return try await PledgeStore.add(
            employerID: employerID, tier: tier, livingHours: livingHours, overrides: overrides, validFrom: day,
            validTo: nil, charterVersion: nil, actor: actor, on: connection
        ).id
    }
}

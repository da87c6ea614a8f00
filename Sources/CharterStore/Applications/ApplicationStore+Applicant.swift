public import CharterDomain
import Crypto
public import Foundation
import PGClient

extension ApplicationStore {
    /// Saves what the applicant typed: the organisation details, the self-assessment and, when the
    /// charter team asked for more, the answer. Only while the application is with the applicant.
    ///
    /// - Throws: `ApplicationProblems` naming each field in error (text too long, a company number
    ///   another open application or a signatory holds); nothing is saved then. `CharterStoreError`
    ///   `.conflict` when the application is not with the applicant.
    public func save(
        id: Int64, details: ApplicationDetails, answers: [StandardAnswer], requestAnswer: String?, actor: String
    ) async throws {
        var problems = details.textProblems() + answers.flatMap { $0.textProblems() }
        if let requestAnswer, let problem = TextField.applicationNote.problem(with: requestAnswer) {
            problems.append(ApplicationProblem(field: "request_answer", problem.asSentence))
        }
        guard problems.isEmpty else { throw ApplicationProblems(problems) }
        do {
            try await pool.withTransaction { connection in
                let application = try await Self.withApplicant(id, on: connection)
                var details = details
                if application.employerID != nil {
                    // An employer applies under its own number; it cannot apply for another.
                    details.companyNumber = application.details.companyNumber
                } else if let number = details.companyNumber {
                    try await Self.refuseSignatory(number, on: connection)
                }
                try await connection.execute(
                    """
                    UPDATE applications SET organisation_name = \(details.organisationName),
                        company_number = \(details.companyNumber?.value), sector = \(details.sector?.rawValue),
                        size_band = \(details.sizeBand), london_workplaces = \(details.hasLondonWorkplaces),
                        contact_name = \(details.contactName), contact_email = \(details.contactEmail),
                        contact_role = \(details.contactRole), tier = \(details.tier?.rawValue),
                        living_hours = \(details.livingHours), notes = \(details.notes)
                    WHERE id = \(id)
                    """)
                let known = Set(application.standards.map(\.standard.id))
                for answer in answers where known.contains(answer.standardID) {
                    try await connection.execute(
                        """
                        INSERT INTO application_answers (application_id, standard_id, assessment, plan, target_date, note)
                        VALUES (\(id), \(answer.standardID), \(answer.assessment?.rawValue), \(answer.plan),
                                \(answer.targetDate?.description)::date, \(answer.note))
                        ON CONFLICT (application_id, standard_id) DO UPDATE SET assessment = EXCLUDED.assessment,
                            plan = EXCLUDED.plan, target_date = EXCLUDED.target_date, note = EXCLUDED.note
                        """)
                }
                if let request = application.openRequest {
                    try await connection.execute(
                        "UPDATE application_requests SET answer = \(requestAnswer) WHERE id = \(request.id)")
                }
                try await AuditTrail.append(
                    on: connection, actor: actor, action: "application.save", entity: "application",
                    entityID: String(id), details: ["answers": answers.filter { $0.assessment != nil }.count])
            }
        } catch let error as PGError where error.sqlState == .uniqueViolation {
            throw ApplicationProblems([
                ApplicationProblem(
                    field: "company_number",
                    "Company number \(details.companyNumber?.value ?? "") is already held by another open application; "
                        + "if it is your organisation's, ask the charter team.")
            ])
        }
    }

    /// Stores an evidence file for the application (for `standardID`, or the application as a whole),
    /// checked by content (`EvidenceFile`), with its SHA-256. Only while the application is with the
    /// applicant, and at most `EvidenceFile.maximumFiles` per application.
    ///
    /// - Throws: `ApplicationProblems` (field `file`) for a file of the wrong kind, too big, empty, or
    ///   one too many; nothing is stored then.
    public func addEvidence(
        id: Int64, standardID: String?, filename: String, content: [UInt8], actor: String, now: Date = Date()
    ) async throws -> EvidenceSummary {
        let name: String
        switch EvidenceFile.name(filename) {
        case .success(let checked): name = checked
        case .failure(let problem): throw ApplicationProblems([problem])
        }
        let type: EvidenceType
        switch EvidenceFile.type(of: content, named: name) {
        case .success(let checked): type = checked
        case .failure(let problem): throw ApplicationProblems([problem])
        }
        let digest = Array(SHA256.hash(data: content))
        return try await pool.withTransaction { connection in
            let application = try await Self.withApplicant(id, on: connection)
            if let standardID, !application.standards.contains(where: { $0.standard.id == standardID }) {
                throw ApplicationProblems([
                    ApplicationProblem(
                        field: "standard", "There is no standard \(standardID.excerpt()) in this charter.")
                ])
            }
            guard application.evidence.count < EvidenceFile.maximumFiles else {
                throw ApplicationProblems([
                    ApplicationProblem(
                        field: "file",
                        "The application already has \(EvidenceFile.maximumFiles) evidence files, the most it may "
                            + "carry; remove one before adding \(name).")
                ])
            }
            let row = try await connection.query(
                """
                INSERT INTO application_evidence (application_id, standard_id, filename, file_type, size_bytes, sha256,
                                                  content, uploaded_by, uploaded_at)
                VALUES (\(id), \(standardID), \(name), \(type.rawValue), \(content.count), \(PGBytes(digest)),
                        \(PGBytes(content)), \(actor), \(now))
                RETURNING id, application_id, standard_id, filename, file_type, size_bytes, sha256, uploaded_at
                """
            )[0]
            let stored = try Self.evidence(row)
            try await AuditTrail.append(
                on: connection, actor: actor, action: "application.evidence-add", entity: "application",
                entityID: String(id),
                details: [
                    "file_id": stored.id, "filename": name, "type": type.rawValue, "size_bytes": content.count,
                    "sha256": stored.sha256, "standard_id": standardID ?? "",
                ])
            return stored
        }
    }

    /// Removes evidence file `fileID` while the application is with the applicant.
    public func removeEvidence(id: Int64, fileID: Int64, actor: String) async throws {
        try await pool.withTransaction { connection in
            _ = try await Self.withApplicant(id, on: connection)
            guard
                let row = try await connection.query(
                    """
                    DELETE FROM application_evidence WHERE application_id = \(id) AND id = \(fileID)
                    RETURNING filename, encode(sha256, 'hex') AS sha256
                    """
                ).first
            else { throw CharterStoreError(.notFound, "application \(id) has no evidence file \(fileID)") }
            try await AuditTrail.append(
                on: connection, actor: actor, action: "application.evidence-remove", entity: "application",
                entityID: String(id),
                details: [
                    "file_id": fileID, "filename": try row.decode(String.self, column: "filename"),
                    "sha256": try row.decode(String.self, column: "sha256"),
                ])
        }
    }

    /// Sends the application to the charter team: everything SPEC §10 asks for must be there (the
    /// organisation, a contact, the tier, an answer for every standard — a plan and a future target
    /// date for each "working towards" — and the answer to the charter team's questions, if asked).
    /// The applicant is emailed that it arrived.
    ///
    /// - Throws: `ApplicationProblems`, one per missing thing; the application stays with the applicant.
    public func submit(id: Int64, actor: String, mail: any ReportQueuing, now: Date = Date()) async throws {
        let today = CalendarDate(now, in: .europeLondon)
        try await pool.withTransaction { connection in
            let application = try await Self.withApplicant(id, on: connection)
            var problems = application.details.submissionProblems()
            problems += application.standards.flatMap { $0.answer.submissionProblems(today: today) }
            if let request = application.openRequest,
                (request.answer ?? "").trimmingCharacters(in: .whitespaces).isEmpty
            {
                problems.append(
                    ApplicationProblem(field: "request_answer", "Answer the charter team's questions before sending."))
            }
            if application.employerID == nil, let number = application.details.companyNumber {
                do { try await Self.refuseSignatory(number, on: connection) } catch let refused as ApplicationProblems {
                    problems += refused.problems
                }
            }
            guard problems.isEmpty else { throw ApplicationProblems(problems) }
            let submissions = try await connection.query(
                """
                UPDATE applications SET status = 'submitted', submitted_at = \(now), submissions = submissions + 1
                WHERE id = \(id) RETURNING submissions
                """
            )[0].decode(Int64.self, column: "submissions")
            if let request = application.openRequest {
                try await connection.execute(
                    "UPDATE application_requests SET answered_at = \(now) WHERE id = \(request.id)")
            }
            try await AuditTrail.append(
                on: connection, actor: actor, action: "application.submit", entity: "application",
                entityID: String(id),
                details: [
                    "submission": submissions, "tier": application.details.tier?.rawValue ?? "",
                    "evidence_files": application.evidence.count,
                ])
            try await mail.queue(
                .application(
                    ApplicationNotice(
                        applicationID: id, step: .received, serial: submissions,
                        recipient: ReportRecipient(name: application.applicantName, email: application.applicantEmail),
                        organisation: application.details.organisationName)), on: connection)
        }
    }

    /// The application locked for a change by the applicant, refused unless it is with them.
    static func withApplicant(_ id: Int64, on connection: PGConnection) async throws -> ApplicationRecord {
        guard let application = try await find(id: id, on: connection, lock: true) else {
            throw CharterStoreError(.notFound, "there is no application \(id)")
        }
        guard application.status.isWithApplicant else {
            throw CharterStoreError(
                .conflict,
                application.status == .unconfirmed
                    ? "confirm your email address through the link we sent before filling in the application"
                    : "application \(id) is \(application.status.words), so it cannot be changed now")
        }
        return application
    }

    /// Refuses a company number that belongs to an employer with a pledge in force: a signatory applies
    /// for a higher tier or renews signed in, not as a newcomer.
    static func refuseSignatory(_ number: CompanyNumber, on connection: PGConnection) async throws {
        guard
            let row = try await connection.query(
                """
                SELECT e.name FROM employers e
                WHERE e.company_number = \(number.value) AND EXISTS (
                    SELECT 1 FROM pledges p WHERE p.employer_id = e.id AND (p.valid_to IS NULL OR p.valid_to > current_date))
                """
            ).first
        else { return }
        throw ApplicationProblems([
            ApplicationProblem(
                field: "company_number",
                "Company number \(number.value) is \(try row.decode(String.self, column: "name")), already a signatory; "
                    + "sign in as \(try row.decode(String.self, column: "name")) to apply for a higher tier or renew.")
        ])
    }
}

import CharterAccess
public import CharterDomain
public import Foundation
public import PGClient

/// Applications to join the charter, move up a tier or renew (SPEC §10), from the emailed link that
/// confirms the applicant's address to the charter team's decision. Every step is audited and emailed
/// to the applicant through the outbox, in the step's own transaction.
public struct ApplicationStore: Sendable {
    public let pool: PGPool

    /// How long an emailed link works: seven days, time to find it after a weekend.
    public static let linkLifetime: TimeInterval = 7 * 24 * 60 * 60
    /// How long a browser that followed a link may work on the application: a week.
    public static let sessionLifetime: TimeInterval = 7 * 24 * 60 * 60

    public init(pool: PGPool) {
        self.pool = pool
    }

    // MARK: Starting

    /// Starts an application for someone with no account: the application waits, unconfirmed, until
    /// the applicant follows the link emailed to `email` (queued in the same transaction).
    ///
    /// - Throws: `ApplicationProblems` naming the fields when the name, email or organisation is
    ///   missing or unusable; nothing is stored then.
    public func start(
        applicantName: String, email: String, organisationName: String, mail: any ReportQueuing, now: Date = Date()
    ) async throws -> Int64 {
        var problems: [ApplicationProblem] = []
        let name = applicantName.trimmingCharacters(in: .whitespacesAndNewlines)
        let organisation = organisationName.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { problems.append(ApplicationProblem(field: "applicant_name", "Enter your name.")) }
        if let problem = TextField.displayName.problem(with: name) {
            problems.append(ApplicationProblem(field: "applicant_name", problem.asSentence))
        }
        if organisation.isEmpty {
            problems.append(ApplicationProblem(field: "organisation_name", "Enter the organisation's name."))
        }
        if let problem = TextField.employerName.problem(with: organisation) {
            problems.append(ApplicationProblem(field: "organisation_name", problem.asSentence))
        }
        let address = EmailAddress(email)
        if address == nil || TextField.email.problem(with: email) != nil {
            problems.append(
                ApplicationProblem(
                    field: "email", "Enter your email address as it is written, like name@example.org."))
        }
        guard problems.isEmpty, let address else { throw ApplicationProblems(problems) }
        let today = CalendarDate(now, in: .europeLondon)
        return try await pool.withTransaction { connection in
            // Anyone may start an application, so nobody may use the form to fill a stranger's inbox.
            try await Self.refuseTooManyLinks(to: address, now: now, on: connection)
            let versionID = try await Self.versionInForce(on: today, connection)
            let id = try await connection.query(
                """
                INSERT INTO applications (status, applicant_name, applicant_email, charter_version_id, organisation_name,
                                          created_at)
                VALUES ('unconfirmed', \(name), \(address.text), \(versionID), \(organisation), \(now))
                RETURNING id
                """
            )[0].decode(Int64.self, column: "id")
            try await AuditTrail.append(
                on: connection, actor: Self.applicantActor(id), action: "application.start", entity: "application",
                entityID: String(id), details: ["organisation": organisation, "email": address.text])
            try await Self.sendLink(
                .confirm, applicationID: id, recipient: ReportRecipient(name: name, email: address.text),
                organisation: organisation, mail: mail, now: now, on: connection)
            return id
        }
    }

    /// The open application of signed-in employer `employerID`, starting one when it has none: a higher
    /// tier or a renewal (SPEC §10), with the employer's details filled in and user `userID` as the
    /// applicant — their address is known, so no link is needed.
    public func startForEmployer(_ employerID: Int64, userID: Int64, actor: String, now: Date = Date()) async throws
        -> Int64
    {
        let today = CalendarDate(now, in: .europeLondon)
        return try await pool.withTransaction { connection in
            guard
                let user = try await connection.query(
                    "SELECT display_name, email FROM users WHERE id = \(userID) AND employer_id = \(employerID)"
                ).first
            else { throw CharterStoreError(.notFound, "user \(userID) does not belong to employer \(employerID)") }
            let applicant = ReportRecipient(
                name: try user.decode(String.self, column: "display_name"),
                email: try user.decode(String.self, column: "email"))
            guard
                let employer = try await connection.query(
                    "\(EmployerStore.selectEmployers) WHERE id = \(employerID) FOR UPDATE"
                ).first.map(EmployerStore.employer)
            else { throw CharterStoreError(.notFound, "there is no employer \(employerID)") }
            if let open = try await connection.query(
                "SELECT id FROM applications WHERE employer_id = \(employerID) AND status <> 'decided' ORDER BY id LIMIT 1"
            ).first {
                return try open.decode(Int64.self, column: "id")
            }
            let versionID = try await Self.versionInForce(on: today, connection)
            let id: Int64
            do {
                id = try await connection.query(
                    """
                    INSERT INTO applications (status, applicant_name, applicant_email, employer_id, charter_version_id,
                        organisation_name, company_number, sector, size_band, london_workplaces, contact_name,
                        contact_email, created_at, confirmed_at)
                    VALUES ('draft', \(applicant.name), \(applicant.email), \(employerID), \(versionID), \(employer.name),
                        \(employer.companyNumber?.value), \(employer.sector.rawValue),
                        \(employer.sizeBand.flatMap { ApplicationDetails.sizeBands.contains($0) ? $0 : nil }),
                        \(employer.hasLondonWorkplaces), \(applicant.name), \(applicant.email), \(now), \(now))
                    RETURNING id
                    """
                )[0].decode(Int64.self, column: "id")
            } catch let error as PGError where error.sqlState == .uniqueViolation {
                throw CharterStoreError(
                    .conflict,
                    "company number \(employer.companyNumber?.value ?? "") is held by another open application; "
                        + "ask the charter team")
            }
            try await AuditTrail.append(
                on: connection, actor: actor, action: "application.start", entity: "application",
                entityID: String(id), details: ["employer_id": employerID])
            return id
        }
    }

    // MARK: Links and sessions

    /// Uses the emailed link `token` and begins a session on its application: the address is confirmed
    /// (an unconfirmed application becomes a draft). A link works once, until it expires.
    ///
    /// - Throws: `CharterStoreError` `.notFound` with a sentence when the link is used, expired or unknown.
    public func useLink(token: String, now: Date = Date()) async throws -> IssuedApplicantSession {
        guard let secret = SessionToken(cookieValue: token) else { throw Self.deadLink }
        return try await pool.withTransaction { connection in
            guard
                let link = try await connection.query(
                    """
                    UPDATE application_links SET used_at = \(now)
                    WHERE token_hash = \(PGBytes(secret.storageHash)) AND used_at IS NULL AND expires_at > \(now)
                    RETURNING id, application_id, purpose
                    """
                ).first
            else { throw Self.deadLink }
            let id = try link.decode(Int64.self, column: "application_id")
            let confirmed = try await connection.execute(
                """
                UPDATE applications SET status = 'draft', confirmed_at = \(now)
                WHERE id = \(id) AND status = 'unconfirmed'
                """)
            try await AuditTrail.append(
                on: connection, actor: Self.applicantActor(id),
                action: confirmed > 0 ? "application.confirm" : "application.link", entity: "application",
                entityID: String(id),
                details: [
                    "link_id": try link.decode(Int64.self, column: "id"),
                    "purpose": try link.decode(String.self, column: "purpose"),
                ])
            let cookie = SessionToken.generate()
            let csrf = CSRFToken.generate()
            let expiresAt = now.addingTimeInterval(Self.sessionLifetime)
            try await connection.execute(
                """
                INSERT INTO application_sessions (token_hash, application_id, csrf_token, created_at, expires_at)
                VALUES (\(PGBytes(cookie.storageHash)), \(id), \(csrf.text), \(now), \(expiresAt))
                """)
            return IssuedApplicantSession(
                cookieValue: cookie.text, session: ApplicantSession(applicationID: id, csrfToken: csrf.text),
                expiresAt: expiresAt)
        }
    }

    /// The application a browser's cookie works on, or nil when it is no live session.
    public func session(cookieValue: String, now: Date = Date()) async throws -> ApplicantSession? {
        guard let secret = SessionToken(cookieValue: cookieValue) else { return nil }
        return try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT application_id, csrf_token FROM application_sessions
                WHERE token_hash = \(PGBytes(secret.storageHash)) AND expires_at > \(now)
                """
            ).first.map {
                ApplicantSession(
                    applicationID: try $0.decode(Int64.self, column: "application_id"),
                    csrfToken: try $0.decode(String.self, column: "csrf_token"))
            }
        }
    }

    /// Emails the applicant of every open application started with `email` a fresh link, for an
    /// applicant who lost theirs. Says nothing of whether there was one (the page never tells).
    public func resendLinks(email: String, mail: any ReportQueuing, now: Date = Date()) async throws {
        guard let address = EmailAddress(email) else { return }
        try await pool.withTransaction { connection in
            for row in try await connection.query(
                """
                SELECT id, applicant_name, organisation_name, status FROM applications
                WHERE lower(applicant_email) = lower(\(address.text)) AND employer_id IS NULL AND status <> 'decided'
                ORDER BY id
                """)
            {
                // Past the day's links the form says the same and sends nothing more (it never says
                // whether the address has an application).
                guard (try? await Self.refuseTooManyLinks(to: address, now: now, on: connection)) != nil else { break }
                let id = try row.decode(Int64.self, column: "id")
                try await AuditTrail.append(
                    on: connection, actor: Self.applicantActor(id), action: "application.resend-link",
                    entity: "application", entityID: String(id))
                try await Self.sendLink(
                    .confirm, applicationID: id,
                    recipient: ReportRecipient(
                        name: try row.decode(String.self, column: "applicant_name"), email: address.text),
                    organisation: try row.decode(String.self, column: "organisation_name"), mail: mail, now: now,
                    on: connection)
            }
        }
    }

    /// The most links emailed to one address in a day, by starting or by asking for a new link.
    public static let linksPerAddressPerDay = 5

    /// Refuses when `address` has been sent `linksPerAddressPerDay` application links in the last day.
    static func refuseTooManyLinks(to address: EmailAddress, now: Date, on connection: PGConnection) async throws {
        let sent = try await connection.query(
            """
            SELECT count(*) FROM application_links l JOIN applications a ON a.id = l.application_id
            WHERE lower(a.applicant_email) = lower(\(address.text)) AND l.purpose = 'confirm'
              AND l.created_at > \(now.addingTimeInterval(-24 * 60 * 60))
            """
        )[0].decode(Int.self, at: 0)
        guard sent < linksPerAddressPerDay else {
            throw ApplicationProblems([
                ApplicationProblem(
                    field: "email",
                    "\(address.text) has been sent \(linksPerAddressPerDay) links to apply in the last day; use one of "
                        + "them, or try again tomorrow.")
            ])
        }
    }

    static let deadLink = CharterStoreError(
        .notFound,
        "this link does not work any more: it was used already, or has expired; ask for a new one on the apply page")

    /// Stores a new link for the application and queues the email that carries it: `confirm` (the
    /// address) or `moreRequested` (the questions, and the way back in).
    static func sendLink(
        _ step: ApplicationNotice.Step, applicationID: Int64, recipient: ReportRecipient, organisation: String,
        questions: String? = nil, mail: any ReportQueuing, now: Date, on connection: PGConnection
    ) async throws {
        let secret = SessionToken.generate()
        let expiresAt = now.addingTimeInterval(linkLifetime)
        let linkID = try await connection.query(
            """
            INSERT INTO application_links (token_hash, application_id, purpose, created_at, expires_at)
            VALUES (\(PGBytes(secret.storageHash)), \(applicationID), \(step == .confirm ? "confirm" : "return"),
                    \(now), \(expiresAt))
            RETURNING id
            """
        )[0].decode(Int64.self, column: "id")
        let notice = ApplicationNotice(
            applicationID: applicationID, step: step, serial: linkID, recipient: recipient,
            organisation: organisation, path: "/apply/confirm?token=\(secret.text)",
            expires: UserStore.londonTime(expiresAt), questions: questions)
        guard try await mail.queue(.application(notice), on: connection) else {
            throw ApplicationProblems([
                ApplicationProblem(
                    field: "email",
                    "No email could be made for \(recipient.email); check the address. Nothing was stored.")
            ])
        }
    }

    // MARK: Reading

    /// One application, whole; nil when there is none.
    public func find(id: Int64) async throws -> ApplicationRecord? {
        try await pool.withConnection { try await Self.find(id: id, on: $0) }
    }

    /// Applications newest first, those in `status` only when given.
    public func list(
        status: ApplicationStatus? = nil, employerIDs: Set<Int64>? = nil, offset: Int = 0, limit: Int = 500
    ) async throws -> [ApplicationSummary] {
        let ids = employerIDs.map { Array($0) }
        return try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT id, status, organisation_name, company_number, tier, employer_id, decision, created_at,
                       submitted_at
                FROM applications
                WHERE (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
                  AND (\(ids)::bigint[] IS NULL OR employer_id = ANY(\(ids)::bigint[]))
                ORDER BY id DESC OFFSET \(offset) LIMIT \(limit)
                """
            ).map { row in
                ApplicationSummary(
                    id: try row.decode(Int64.self, column: "id"),
                    status: try Self.status(row.decode(String.self, column: "status")),
                    organisationName: try row.decode(String.self, column: "organisation_name"),
                    companyNumber: try row.decode(String?.self, column: "company_number"),
                    tier: try row.decode(String?.self, column: "tier").flatMap(Tier.init(rawValue:)),
                    employerID: try row.decode(Int64?.self, column: "employer_id"),
                    decision: try row.decode(String?.self, column: "decision").flatMap(ApplicationDecision.init),
                    createdAt: try row.decode(Date.self, column: "created_at"),
                    submittedAt: try row.decode(Date?.self, column: "submitted_at"))
            }
        }
    }

    /// How many applications there are, in `status` only when given.
    public func count(status: ApplicationStatus? = nil) async throws -> Int {
        try await pool.withConnection { connection in
            try await connection.query(
                "SELECT count(*) FROM applications WHERE \(status?.rawValue)::text IS NULL OR status = \(status?.rawValue)"
            )[0].decode(Int.self, at: 0)
        }
    }

    /// The open application of employer `employerID` (a higher tier or a renewal), if it has one.
    public func openApplication(employerID: Int64) async throws -> Int64? {
        try await pool.withConnection { connection in
            try await connection.query(
                "SELECT id FROM applications WHERE employer_id = \(employerID) AND status <> 'decided' ORDER BY id LIMIT 1"
            ).first?.decode(Int64.self, column: "id")
        }
    }

    /// Evidence file `fileID` of application `applicationID` with its content; nil when there is none.
    public func evidence(applicationID: Int64, fileID: Int64) async throws -> (EvidenceSummary, [UInt8])? {
        try await pool.withConnection { connection in
            guard
                let row = try await connection.query(
                    "\(Self.evidenceColumns), content FROM application_evidence WHERE application_id = \(applicationID) AND id = \(fileID)"
                ).first
            else { return nil }
            return (try Self.evidence(row), try row.decode(PGBytes.self, column: "content").bytes)
        }
    }

    static func find(id: Int64, on connection: PGConnection, lock: Bool = false) async throws -> ApplicationRecord? {
        guard
            let row = try await connection.query(
                """
                SELECT a.*, v.label AS version_label FROM applications a
                JOIN charter_versions v ON v.id = a.charter_version_id
                WHERE a.id = \(id) \(PGQuery(unsafeSQL: lock ? "FOR UPDATE OF a" : ""))
                """
            ).first
        else { return nil }
        let versionID = try row.decode(Int64.self, column: "charter_version_id")
        guard let version = try await CharterVersionStore.version(id: versionID, on: connection) else {
            throw CharterStoreError(.notFound, "charter version \(versionID) of application \(id) is gone")
        }
        var answers: [String: StandardAnswer] = [:]
        for answer in try await connection.query(
            """
            SELECT standard_id, assessment, plan, target_date::text AS target_date, note
            FROM application_answers WHERE application_id = \(id)
            """)
        {
            let standardID = try answer.decode(String.self, column: "standard_id")
            answers[standardID] = StandardAnswer(
                standardID: standardID,
                assessment: try answer.decode(String?.self, column: "assessment").flatMap(SelfAssessment.init),
                plan: try answer.decode(String?.self, column: "plan"),
                targetDate: try answer.decode(String?.self, column: "target_date").flatMap { CalendarDate(iso: $0) },
                note: try answer.decode(String?.self, column: "note"))
        }
        var reviews: [String: StandardReview] = [:]
        for review in try await connection.query(
            "SELECT standard_id, verdict, note, reviewed_by, reviewed_at FROM application_reviews WHERE application_id = \(id)"
        ) {
            let standardID = try review.decode(String.self, column: "standard_id")
            guard let verdict = StandardVerdict(rawValue: try review.decode(String.self, column: "verdict")) else {
                continue
            }
            reviews[standardID] = StandardReview(
                standardID: standardID, verdict: verdict, note: try review.decode(String?.self, column: "note"),
                reviewedBy: try review.decode(String.self, column: "reviewed_by"),
                reviewedAt: try review.decode(Date.self, column: "reviewed_at"))
        }
        let requests = try await connection.query(
            """
            SELECT id, questions, asked_by, asked_at, answer, answered_at FROM application_requests
            WHERE application_id = \(id) ORDER BY id
            """
        ).map { request in
            ApplicationRequest(
                id: try request.decode(Int64.self, column: "id"),
                questions: try request.decode(String.self, column: "questions"),
                askedBy: try request.decode(String.self, column: "asked_by"),
                askedAt: try request.decode(Date.self, column: "asked_at"),
                answer: try request.decode(String?.self, column: "answer"),
                answeredAt: try request.decode(Date?.self, column: "answered_at"))
        }
        let evidence = try await connection.query(
            "\(evidenceColumns) FROM application_evidence WHERE application_id = \(id) ORDER BY id"
        ).map(Self.evidence)
        let details = ApplicationDetails(
            organisationName: try row.decode(String.self, column: "organisation_name"),
            companyNumber: try row.decode(String?.self, column: "company_number").flatMap { CompanyNumber($0) },
            sector: try row.decode(String?.self, column: "sector").flatMap(Sector.init(rawValue:)),
            sizeBand: try row.decode(String?.self, column: "size_band"),
            hasLondonWorkplaces: try row.decode(Bool?.self, column: "london_workplaces"),
            contactName: try row.decode(String?.self, column: "contact_name"),
            contactEmail: try row.decode(String?.self, column: "contact_email"),
            contactRole: try row.decode(String?.self, column: "contact_role"),
            tier: try row.decode(String?.self, column: "tier").flatMap(Tier.init(rawValue:)),
            livingHours: try row.decode(Bool.self, column: "living_hours"),
            notes: try row.decode(String?.self, column: "notes"))
        return ApplicationRecord(
            id: id, status: try status(row.decode(String.self, column: "status")),
            applicantName: try row.decode(String.self, column: "applicant_name"),
            applicantEmail: try row.decode(String.self, column: "applicant_email"),
            employerID: try row.decode(Int64?.self, column: "employer_id"), charterVersionID: versionID,
            charterVersionLabel: try row.decode(String.self, column: "version_label"), details: details,
            standards: version.standards.map { ($0, answers[$0.id] ?? StandardAnswer(standardID: $0.id)) },
            reviews: reviews, requests: requests, evidence: evidence,
            decision: try row.decode(String?.self, column: "decision").flatMap(ApplicationDecision.init),
            reasons: try row.decode(String?.self, column: "reasons"),
            decidedBy: try row.decode(String?.self, column: "decided_by"),
            createdAt: try row.decode(Date.self, column: "created_at"),
            submittedAt: try row.decode(Date?.self, column: "submitted_at"),
            decidedAt: try row.decode(Date?.self, column: "decided_at"))
    }

    static let evidenceColumns: PGQuery =
        "SELECT id, application_id, standard_id, filename, file_type, size_bytes, sha256, uploaded_at"

    static func evidence(_ row: PGRow) throws -> EvidenceSummary {
        guard let type = EvidenceType(rawValue: try row.decode(String.self, column: "file_type")) else {
            throw CharterStoreError(.invalid, "an evidence file has an unknown type")
        }
        return EvidenceSummary(
            id: try row.decode(Int64.self, column: "id"),
            applicationID: try row.decode(Int64.self, column: "application_id"),
            standardID: try row.decode(String?.self, column: "standard_id"),
            filename: try row.decode(String.self, column: "filename"), type: type,
            sizeBytes: try row.decode(Int.self, column: "size_bytes"),
            sha256: try row.decode(PGBytes.self, column: "sha256").bytes.map { String(format: "%02x", $0) }.joined(),
            uploadedAt: try row.decode(Date.self, column: "uploaded_at"))
    }

    static func status(_ text: String) throws -> ApplicationStatus {
        guard let status = ApplicationStatus(rawValue: text) else {
            throw CharterStoreError(.invalid, "an application has the unknown status \(text)")
        }
        return status
    }

    /// The newest published charter version in force on `day`: the one an application is made against.
    static func versionInForce(on day: CalendarDate, _ connection: PGConnection) async throws -> Int64 {
        guard
            let id = try await connection.query(
                """
                SELECT id FROM charter_versions WHERE status = 'published' AND effective_from <= \(day.description)::date
                ORDER BY effective_from DESC, id DESC LIMIT 1
                """
            ).first?.decode(Int64.self, column: "id")
        else {
            throw CharterStoreError(
                .notFound,
                "no charter version is in force today, so applications cannot be made yet; ask the charter team")
        }
        return id
    }

    /// The audit actor for someone with no account working on application `id`: `applicant:7`.
    public static func applicantActor(_ id: Int64) -> String { "applicant:\(id)" }
}

/// What an application says about the organisation and what it asks for (SPEC §10 "Application"):
/// organisation details, a contact, the tier applied for and whether it commits to Living Hours.
public struct ApplicationDetails: Sendable, Hashable, Codable {
    public var organisationName: String
    /// Required for companies; optional for public bodies and charities that have none.
    public var companyNumber: CompanyNumber?
    public var sector: Sector?
    public var sizeBand: String?
    public var hasLondonWorkplaces: Bool?
    public var contactName: String?
    public var contactEmail: String?
    public var contactRole: String?
    public var tier: Tier?
    public var livingHours: Bool
    /// Anything else the applicant wants the charter team to know.
    public var notes: String?

    /// The size bands offered (those of the Gender Pay Gap service, which the employer import reads).
    public static let sizeBands = [
        "Less than 250", "250 to 499", "500 to 999", "1000 to 4999", "5000 to 19,999", "20,000 or more",
    ]

    public init(
        organisationName: String, companyNumber: CompanyNumber? = nil, sector: Sector? = nil, sizeBand: String? = nil,
        hasLondonWorkplaces: Bool? = nil, contactName: String? = nil, contactEmail: String? = nil,
        contactRole: String? = nil, tier: Tier? = nil, livingHours: Bool = false, notes: String? = nil
    ) {
        self.organisationName = organisationName
        self.companyNumber = companyNumber
        self.sector = sector
        self.sizeBand = sizeBand
        self.hasLondonWorkplaces = hasLondonWorkplaces
        self.contactName = contactName
        self.contactEmail = contactEmail
        self.contactRole = contactRole
        self.tier = tier
        self.livingHours = livingHours
        self.notes = notes
    }

    /// What is wrong with the text as typed, whatever the stage: too long, control characters, a size
    /// band not offered. Saving a draft checks this much.
    public func textProblems() -> [ApplicationProblem] {
        var problems: [ApplicationProblem] = []
        func check(_ field: TextField, _ text: String?, as name: String) {
            if let text, let problem = field.problem(with: text) {
                problems.append(ApplicationProblem(field: name, problem.asSentence))
            }
        }
        check(.employerName, organisationName, as: "organisation_name")
        check(.contactName, contactName, as: "contact_name")
        check(.email, contactEmail, as: "contact_email")
        check(.contactRole, contactRole, as: "contact_role")
        check(.applicationNote, notes, as: "notes")
        if let sizeBand, !Self.sizeBands.contains(sizeBand) {
            problems.append(
                ApplicationProblem(
                    field: "size_band",
                    "Choose the size band from the list (\(Self.sizeBands.joined(separator: ", ")))."))
        }
        return problems
    }

    /// Everything missing before the application can go to the charter team, with `textProblems()`.
    public func submissionProblems() -> [ApplicationProblem] {
        var problems = textProblems()
        if organisationName.trimmingSpaces.isEmpty {
            problems.append(ApplicationProblem(field: "organisation_name", "Enter the organisation's name."))
        }
        if sector == nil {
            problems.append(
                ApplicationProblem(field: "sector", "Choose whether the organisation is private, public or voluntary."))
        }
        if sector == .private && companyNumber == nil {
            problems.append(
                ApplicationProblem(
                    field: "company_number",
                    "Enter the Companies House number: a company applies under its number (8 digits, or 2 letters and 6 digits)."
                ))
        }
        if sizeBand == nil {
            problems.append(ApplicationProblem(field: "size_band", "Choose how many people the organisation employs."))
        }
        if hasLondonWorkplaces == nil {
            problems.append(ApplicationProblem(field: "london_workplaces", "Say whether any workplace is in London."))
        }
        if (contactName ?? "").trimmingSpaces.isEmpty {
            problems.append(ApplicationProblem(field: "contact_name", "Enter the name of the contact for the charter."))
        }
        if (contactEmail ?? "").trimmingSpaces.isEmpty {
            problems.append(ApplicationProblem(field: "contact_email", "Enter the contact's email address."))
        }
        if tier == nil {
            problems.append(ApplicationProblem(field: "tier", "Choose the tier applied for: aspiring or accredited."))
        }
        return problems
    }
}

/// The self-assessment of one standard: met, working towards it (with a plan and a target date), or not
/// applicable, and a note.
public struct StandardAnswer: Sendable, Hashable, Codable {
    public var standardID: String
    public var assessment: SelfAssessment?
    public var plan: String?
    public var targetDate: CalendarDate?
    public var note: String?

    public init(
        standardID: String, assessment: SelfAssessment? = nil, plan: String? = nil, targetDate: CalendarDate? = nil,
        note: String? = nil
    ) {
        self.standardID = standardID
        self.assessment = assessment
        self.plan = plan
        self.targetDate = targetDate
        self.note = note
    }

    /// The form field for `part` of this answer: `assessment-pay.real-living-wage`.
    public func field(_ part: String) -> String { "\(part)-\(standardID)" }

    /// What is wrong with the text as typed.
    public func textProblems() -> [ApplicationProblem] {
        var problems: [ApplicationProblem] = []
        if let plan, let problem = TextField.applicationPlan.problem(with: plan) {
            problems.append(ApplicationProblem(field: field("plan"), "\(standardID): \(problem.asSentence)"))
        }
        if let note, let problem = TextField.applicationNote.problem(with: note) {
            problems.append(ApplicationProblem(field: field("note"), "\(standardID): \(problem.asSentence)"))
        }
        return problems
    }

    /// Everything missing before submission: an answer; for "working towards", a plan and a target date
    /// after `today`.
    public func submissionProblems(today: CalendarDate) -> [ApplicationProblem] {
        var problems = textProblems()
        switch assessment {
        case nil:
            problems.append(
                ApplicationProblem(
                    field: field("assessment"),
                    "\(standardID): say whether the standard is met, being worked towards or not applicable."))
        case .workingTowards:
            if (plan ?? "").trimmingSpaces.isEmpty {
                problems.append(
                    ApplicationProblem(
                        field: field("plan"), "\(standardID): working towards a standard needs a plan; describe it."))
            }
            if let targetDate {
                if targetDate <= today {
                    problems.append(
                        ApplicationProblem(
                            field: field("target"),
                            "\(standardID): the target date \(targetDate) has passed; give a date after \(today)."))
                }
            } else {
                problems.append(
                    ApplicationProblem(
                        field: field("target"),
                        "\(standardID): working towards a standard needs a target date (YYYY-MM-DD)."))
            }
        case .met, .notApplicable: break
        }
        return problems
    }
}

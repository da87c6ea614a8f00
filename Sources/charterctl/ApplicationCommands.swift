import ArgumentParser
import CharterApp
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation

/// `charterctl application list|show|decide` (SPEC §10): the charter team's assessment from a terminal.
struct ApplicationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "application", abstract: "Applications to join the charter, move up a tier or renew.",
        subcommands: [List.self, Show.self, Decide.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List applications, newest first.")

        @Option(
            help: "Only those in this status: \(ApplicationStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
        var status: String?
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func validate() throws {
            if let status, ApplicationStatus(rawValue: status) == nil {
                throw ValidationError(
                    "--status \(status) is not a status; use "
                        + ApplicationStatus.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }

        func run() async throws {
            let status = status.flatMap(ApplicationStatus.init(rawValue:))
            let list = try await withPool { try await ApplicationStore(pool: $0).list(status: status) }
            switch format {
            case .json: try printJSON(list.map(ApplicationListItem.init))
            case .text:
                if list.isEmpty { print("No applications.") }
                for item in list {
                    print(
                        "\(item.id)\t\(item.status.rawValue)\t\(item.tier?.rawValue ?? "-")\t"
                            + "\(item.companyNumber ?? "-")\t\(item.organisationName)")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One application: the organisation, the self-assessment, evidence, reviews and decision.")

        @Argument(help: "The application's number.") var id: Int64
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let id = id
            guard let application = try await withPool({ try await ApplicationStore(pool: $0).find(id: id) }) else {
                throw CommandFailed(description: "there is no application \(id)")
            }
            let view = ApplicationView(application)
            switch format {
            case .json: try printJSON(view)
            case .text: print(view.text)
            }
        }
    }

    struct Decide: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decide a submitted application: aspiring, accredited or declined, with reasons.",
            discussion: """
                Approval creates or updates the employer and its contact, invites the applicant to set a
                password when they have no account, and starts the pledge at the decided tier from today.
                The applicant is emailed the decision and the reasons.
                """)

        @Argument(help: "The application's number.") var id: Int64
        @Option(help: "aspiring, accredited or declined.") var decision: String
        @Option(help: "The reasons, sent to the applicant.") var reasons: String
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func validate() throws {
            guard ApplicationDecision(rawValue: decision) != nil else {
                throw ValidationError("--decision \(decision) is not a decision; use aspiring, accredited or declined")
            }
            guard !reasons.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw ValidationError(
                    "--reasons is empty; give the reasons for the decision (the applicant is sent them)")
            }
        }

        func run() async throws {
            let configuration: CharterConfiguration
            do {
                configuration = try CharterConfiguration.load()
            } catch {
                throw CommandFailed(description: "\(error)")
            }
            let queue = ReportQueue(renderer: try ReportRenderers.renderer(for: configuration))
            let (id, reasons) = (id, reasons)
            let decision = ApplicationDecision(rawValue: decision) ?? .declined
            let outcome: ApplicationOutcome
            do {
                outcome = try await withPool {
                    try await ApplicationStore(pool: $0).decide(
                        id: id, decision: decision, reasons: reasons, actor: commandActor, mail: queue)
                }
            } catch let problems as ApplicationProblems {
                throw CommandFailed(
                    description: problems.problems.map { "\($0.field): \($0.message)" }.joined(separator: "\n"))
            }
            switch format {
            case .json: try printJSON(ApplicationView(outcome.application))
            case .text:
                print(
                    "Application \(id) decided: \(decision.rawValue)."
                        + (outcome.employerID.map { " Employer \($0)" } ?? "")
                        + (outcome.pledgeID.map { ", pledge \($0) from today" } ?? "")
                        + (outcome.invitedUserID.map { ", user \($0) invited to set a password" } ?? "")
                        + ". The applicant was emailed.")
            }
        }
    }
}

/// A line of `application list --format json`.
struct ApplicationListItem: Encodable {
    var id: Int64
    var status: String
    var organisationName: String
    var companyNumber: String?
    var tier: String?
    var employerId: Int64?
    var decision: String?
    var createdAt: Date
    var submittedAt: Date?

    init(_ summary: ApplicationSummary) {
        id = summary.id
        status = summary.status.rawValue
        organisationName = summary.organisationName
        companyNumber = summary.companyNumber
        tier = summary.tier?.rawValue
        employerId = summary.employerID
        decision = summary.decision?.rawValue
        createdAt = summary.createdAt
        submittedAt = summary.submittedAt
    }
}

/// `application show --format json`: everything but the evidence files' content.
struct ApplicationView: Encodable {
    struct Answer: Encodable {
        var standardId: String
        var title: String
        var assessment: String?
        var plan: String?
        var targetDate: String?
        var note: String?
        var review: String?
        var reviewNote: String?
    }
    struct File: Encodable {
        var id: Int64
        var standardId: String?
        var filename: String
        var type: String
        var sizeBytes: Int
        var sha256: String
    }
    struct Request: Encodable {
        var questions: String
        var askedAt: Date
        var answer: String?
        var answeredAt: Date?
    }

    var id: Int64
    var status: String
    var applicantName: String
    var applicantEmail: String
    var employerId: Int64?
    var charterVersion: String
    var details: ApplicationDetails
    var selfAssessment: [Answer]
    var evidence: [File]
    var requests: [Request]
    var decision: String?
    var reasons: String?
    var decidedAt: Date?

    init(_ application: ApplicationRecord) {
        id = application.id
        status = application.status.rawValue
        applicantName = application.applicantName
        applicantEmail = application.applicantEmail
        employerId = application.employerID
        charterVersion = application.charterVersionLabel
        details = application.details
        selfAssessment = application.standards.map { standard, answer in
            let review = application.reviews[standard.id]
            return Answer(
                standardId: standard.id, title: standard.title, assessment: answer.assessment?.rawValue,
                plan: answer.plan, targetDate: answer.targetDate?.description, note: answer.note,
                review: review?.verdict.rawValue, reviewNote: review?.note)
        }
        evidence = application.evidence.map {
            File(
                id: $0.id, standardId: $0.standardID, filename: $0.filename, type: $0.type.rawValue,
                sizeBytes: $0.sizeBytes, sha256: $0.sha256)
        }
        requests = application.requests.map {
            Request(questions: $0.questions, askedAt: $0.askedAt, answer: $0.answer, answeredAt: $0.answeredAt)
        }
        decision = application.decision?.rawValue
        reasons = application.reasons
        decidedAt = application.decidedAt
    }

    var text: String {
        var lines = [
            "Application \(id): \(details.organisationName) — \(status)",
            "Applicant: \(applicantName) <\(applicantEmail)>",
            "Company number: \(details.companyNumber?.value ?? "none")  Sector: \(details.sector?.rawValue ?? "-")"
                + "  Size: \(details.sizeBand ?? "-")",
            "Tier applied for: \(details.tier?.rawValue ?? "-")  Living Hours: \(details.livingHours ? "yes" : "no")"
                + "  Charter version: \(charterVersion)",
            "",
            "Self-assessment:",
        ]
        for answer in selfAssessment {
            lines.append(
                "  \(answer.standardId)\t\(answer.assessment ?? "not answered")"
                    + (answer.targetDate.map { " by \($0)" } ?? "") + (answer.review.map { "\treview: \($0)" } ?? ""))
        }
        lines.append("")
        lines.append("Evidence: \(evidence.count) file\(evidence.count == 1 ? "" : "s")")
        for file in evidence {
            lines.append("  \(file.id)\t\(file.filename)\t\(file.type)\t\(file.sizeBytes) bytes\tsha256 \(file.sha256)")
        }
        for request in requests {
            lines.append("Asked: \(request.questions)")
            lines.append("Answer: \(request.answer ?? "not yet")")
        }
        if let decision { lines.append("Decision: \(decision) — \(reasons ?? "")") }
        return lines.joined(separator: "\n")
    }
}

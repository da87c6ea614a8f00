import ArgumentParser
import CharterApp
import CharterDomain
import CharterStore
import Foundation
import PGClient
import Scheduling

struct ReportsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reports", abstract: "Email-ready reports: preview what would be sent.",
        subcommands: [Preview.self])

    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a report's message exactly as it would be sent (RFC 5322 bytes); writes nothing.",
            discussion: """
                --recipient is an employer id (employer-digest, reminder, accreditation-reminder), a rep's id or email (rep-digest), an \
                admin's email (weekly-summary, optional) or the email of a notice's recipient (flag-notice, with \
                --event). --run takes the date of a job run instead of --as-of.
                """)

        @Option(help: "employer-digest, rep-digest, reminder, weekly-summary, flag-notice or accreditation-reminder.")
        var kind: String
        @Option(help: "Who the report is for (see above).") var recipient: String?
        @Option(help: "As of this date (YYYY-MM-DD); today in Europe/London by default.") var asOf: String?
        @Option(help: "Use the date of this job run (job_runs id).") var run: Int64?
        @Option(help: "The flag event a flag-notice is about.") var event: Int64?

        func validate() throws {
            guard let kind = ReportKind(rawValue: kind) else {
                let names = ReportKind.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("--kind \(self.kind) is not a report kind; they are \(names)")
            }
            if let asOf, CalendarDate(iso: asOf) == nil {
                throw ValidationError("--as-of \(asOf) is not a date; write it as YYYY-MM-DD")
            }
            if asOf != nil && run != nil { throw ValidationError("give --as-of or --run, not both") }
            if kind == .flagNotice && event == nil { throw ValidationError("a flag-notice needs --event ID") }
            if kind != .weeklySummary && kind != .flagNotice && recipient == nil {
                throw ValidationError("a \(kind.rawValue) needs --recipient")
            }
        }

        func run() async throws {
            guard let kind = ReportKind(rawValue: kind) else { throw ValidationError("unknown --kind") }
            let configuration: CharterConfiguration
            do {
                configuration = try CharterConfiguration.load()
            } catch {
                throw CommandFailed(description: "\(error)")
            }
            let renderer = try ReportRenderers.renderer(for: configuration)
            let (recipient, asOf, runID, event) = (recipient, asOf.flatMap { CalendarDate(iso: $0) }, run, event)
            // Read only, and rolled back: a preview can never write, whatever a gatherer does.
            let report = try await withPool { pool -> Report? in
                var date = asOf ?? CalendarDate(Date(), in: .europeLondon)
                if let runID {
                    guard let run = try await JobRunLog(pool: pool).run(id: runID) else {
                        throw CommandFailed(description: "there is no job run \(runID)")
                    }
                    date = CalendarDate(run.scheduledFor, in: .europeLondon)
                }
                return try await ReportGatherer.preview(
                    kind: kind, recipient: recipient, asOf: date, eventID: event, pool: pool)
            }
            guard let report else {
                throw CommandFailed(description: "no \(kind.rawValue) would be sent to \(recipient ?? "anyone") then")
            }
            let rendered = try renderer.render(report, date: Date())
            FileHandle.standardOutput.write(Data(rendered.message))
        }
    }
}

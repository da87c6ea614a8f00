import ArgumentParser
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation

struct RulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "Try charter versions out.", subcommands: [Preview.self])

    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the flags a charter version (e.g. a draft) would add and clear over recent periods.",
            discussion: "Judges the latest returns of the last periods by that version; writes nothing.")

        @Option(name: .customLong("version"), help: "The charter version's label.") var label: String
        @Option(help: "Periods to look back over, before the current quarter.") var periods = 4
        @Option(help: "Today's date for choosing the periods (YYYY-MM-DD); today by default.") var asOf: String?
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func validate() throws {
            if let asOf, CalendarDate(iso: asOf) == nil { throw ValidationError("--as-of must be a date, YYYY-MM-DD") }
            guard (1...12).contains(periods) else { throw ValidationError("--periods must be from 1 to 12") }
        }

        func run() async throws {
            let date = asOf.flatMap { CalendarDate(iso: $0) } ?? CalendarDate(Date(), in: .europeLondon)
            let (label, periods) = (label, periods)
            let report = try await withPool {
                try await RulesPreview(pool: $0).preview(label: label, asOf: date, periodCount: periods)
            }
            switch format {
            case .json: try printJSON(report)
            case .text:
                print(
                    "\(label) over \(report.periods.joined(separator: ", ")): \(report.returnsJudged) returns judged;"
                        + " would add \(report.added.count) flags and clear \(report.cleared.count). Nothing was written."
                )
                for (sign, changes) in [("+", report.added), ("-", report.cleared)] {
                    for c in changes {
                        print(
                            "  \(sign) employer \(c.employerID)\t\(c.period)\t\(c.standardID)"
                                + (c.subject.isEmpty ? "" : " (\(c.subject))") + "\t\(c.severity)")
                    }
                }
                for error in report.errors { printError("  not judged: \(error)") }
            }
        }
    }
}

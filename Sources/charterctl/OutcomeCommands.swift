import ArgumentParser
import CharterDomain
import CharterUseCases
import Foundation

/// `charterctl outcomes --period YYYY-Qn [--by sector|tier] [--format json]`: the charter's outcomes
/// (SPEC §11), in full, as the charter team sees them.
struct OutcomesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outcomes", abstract: "The charter's outcome figures for a period (SPEC §11), in full.",
        discussion: """
            From the latest accepted version of each employer's return for the period. The JSON keys are the
            figures' names, with period, and groups for a breakdown.
            """)

    @Option(help: "The period, YYYY-Qn; the latest with a counted return by default.") var period: String?
    @Option(help: "Break the figures down by sector or tier.") var by: String?
    @Option(help: "Output format: text or json.") var format: OutputFormat = .text

    func validate() throws {
        if let period, ReportingPeriod(period) == nil {
            throw ValidationError("--period must be a quarter written YYYY-Qn, for example 2026-Q3")
        }
        if let by, OutcomeBreakdown(rawValue: by) == nil { throw ValidationError("--by must be sector or tier") }
    }

    func run() async throws {
        let asked = period.flatMap { ReportingPeriod($0) }
        let breakdown = by.flatMap { OutcomeBreakdown(rawValue: $0) }
        let outcomes = try await withPool { pool -> RegionalOutcomes? in
            if let asked { return try await Outcomes(pool: pool).period(asked) }
            return try await Outcomes(pool: pool).report()?.current
        }
        guard let outcomes else {
            printError("There are no outcome figures yet: no return has been counted.")
            throw ExitCode(1)
        }
        switch format {
        case .json:
            printRawJSON(
                String(
                    decoding: try JSONEncoder.outcomes.encode(
                        OutcomesDocument(outcomes, breakdown: breakdown, marksSuppression: false)), as: UTF8.self))
        case .text:
            let groups = breakdown.map { outcomes.groups(by: $0) } ?? []
            let names = ["region"] + groups.map(\.name)
            print("Charter outcomes, \(outcomes.period)")
            print((["figure"] + names).joined(separator: "\t"))
            for figure in OutcomeFigure.allCases {
                let values = ([outcomes.region] + groups).map { figure.pageText($0[figure]) }
                print(([figure.rawValue] + values).joined(separator: "\t"))
            }
        }
    }
}

extension JSONEncoder {
    /// Outcomes' JSON as charterctl prints it: SPEC §11's names as they are (no key conversion), sorted.
    static var outcomes: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }
}

import ArgumentParser
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation

/// `charterctl readiness --employer ID`: what stands between an employer and accreditation (SPEC §10).
struct ReadinessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "readiness",
        abstract: "Judge an employer's latest return as if it were accredited, listing each standard it would breach.",
        discussion: "Judges exactly as the nightly run does, at the accredited tier; writes nothing.")

    @Option(help: "The employer's id.") var employer: Int64
    @Option(help: "Output format: text or json.") var format: OutputFormat = .text

    func validate() throws {
        guard employer > 0 else { throw ValidationError("--employer must be an employer's id, a whole number from 1") }
    }

    func run() async throws {
        let employer = employer
        let report = try await withPool { try await Readiness(pool: $0).assess(employerID: employer) }
        switch format {
        case .json: try printJSON(report)
        case .text:
            print(report.summary)
            for finding in report.breaches {
                print(
                    "  \(finding.standardID)" + (finding.subject.isEmpty ? "" : " (\(finding.subject))")
                        + "\t\(finding.severity.rawValue)")
                for line in finding.evidence.reportLines { print("    \(line)") }
            }
        }
    }
}

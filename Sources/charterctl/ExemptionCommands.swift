import ArgumentParser
import CharterDomain
import CharterStore
import Foundation

struct ExemptionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exemption", abstract: "Time-limited exemptions from a standard (flags they cover are waived).",
        subcommands: [Add.self, List.self, Revoke.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Grant an exemption.")

        @Option(help: "The employer's id.") var employer: Int64
        @Option(help: "The standard, e.g. pay.real-living-wage.") var standard: String
        @Option(help: "First period covered (YYYY-Qn); all earlier ones too when left out.") var from: String?
        @Option(help: "Last period covered (YYYY-Qn); all later ones too when left out.") var to: String?
        @Option(help: "Why the exemption is granted.") var reason: String
        @Option(help: "Last day it applies (YYYY-MM-DD).") var expires: String
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func validate() throws {
            if let from, ReportingPeriod(from) == nil { throw ValidationError("--from must look like 2026-Q3") }
            if let to, ReportingPeriod(to) == nil { throw ValidationError("--to must look like 2026-Q3") }
            guard CalendarDate(iso: expires) != nil else {
                throw ValidationError("--expires \(expires) is not a date; write it as YYYY-MM-DD")
            }
        }

        func run() async throws {
            let (employer, standard, reason) = (employer, standard, reason)
            let from = from.flatMap { ReportingPeriod($0) }
            let to = to.flatMap { ReportingPeriod($0) }
            let expires = CalendarDate(iso: expires) ?? CalendarDate(iso: "1970-01-01")!
            let exemption = try await withPool { pool in
                try await ExemptionStore(pool: pool).add(
                    employerID: employer, standardID: standard, periodFrom: from, periodTo: to, reason: reason,
                    expiresOn: expires, actor: commandActor)
            }
            switch format {
            case .json: try printJSON(exemption)
            case .text:
                print(
                    "Granted exemption \(exemption.id): employer \(employer) from \(standard) until \(exemption.expiresOn);"
                        + " the next nightly run waives the flags it covers.")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List exemptions.")

        @Option(help: "Only this employer's exemptions.") var employer: Int64?
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let employer = employer
            let exemptions = try await withPool { try await ExemptionStore(pool: $0).list(employerID: employer) }
            switch format {
            case .json: try printJSON(exemptions)
            case .text:
                for x in exemptions {
                    let range = "\(x.periodFrom ?? "…")–\(x.periodTo ?? "…")"
                    let status = x.revokedAt.map { "revoked \($0)" } ?? "until \(x.expiresOn)"
                    print("\(x.id)\t\(x.employerID)\t\(x.standardID)\t\(range)\t\(status)\t\(x.reason)")
                }
                print("\(exemptions.count) exemption\(exemptions.count == 1 ? "" : "s")")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an exemption.")

        @Argument(help: "The exemption's id.") var id: Int64
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let id = id
            let exemption = try await withPool {
                try await ExemptionStore(pool: $0).revoke(id: id, actor: commandActor)
            }
            switch format {
            case .json: try printJSON(exemption)
            case .text: print("Revoked exemption \(id); the next nightly run reopens the flags it waived.")
            }
        }
    }
}

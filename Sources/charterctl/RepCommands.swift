import ArgumentParser
import CharterStore
import Foundation

struct RepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rep", abstract: "Union reps and the employers they cover.",
        subcommands: [Add.self, List.self, SetCoverage.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a rep and the employers they cover.")

        @Option(help: "The rep's name.") var name: String
        @Option(help: "The rep's email address (digests go there).") var email: String
        @Option(name: .customLong("union"), help: "The rep's union.") var unionName: String?
        @Option(help: "The ids of the employers the rep covers, separated by commas (e.g. 3,7,12).")
        var covers: EmployerIDList
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let (name, email, unionName, covers) = (name, email, unionName, covers.ids)
            let rep = try await withPool { pool in
                try await RepStore(pool: pool).add(
                    name: name, email: email, unionName: unionName, covers: covers, actor: commandActor)
            }
            switch format {
            case .json: try printJSON(rep)
            case .text: print("Registered rep \(rep.id): \(rep.name), covering \(coverage(rep.coveredEmployerIDs))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List reps with the employers they cover.")

        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let reps = try await withPool { try await RepStore(pool: $0).list() }
            switch format {
            case .json: try printJSON(reps)
            case .text:
                for rep in reps {
                    print(
                        "\(rep.id)\t\(rep.name)\t\(rep.email)\t\(rep.unionName ?? "-")\t\(coverage(rep.coveredEmployerIDs))"
                    )
                }
                print("\(reps.count) rep\(reps.count == 1 ? "" : "s")")
            }
        }
    }

    struct SetCoverage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-coverage", abstract: "Replace the employers a rep covers.")

        @Argument(help: "The rep's id.") var id: Int64
        @Option(help: "The ids of every employer the rep covers from now on, separated by commas.")
        var covers: EmployerIDList
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let (id, covers) = (id, covers.ids)
            let rep = try await withPool { pool in
                try await RepStore(pool: pool).setCoverage(repID: id, employerIDs: covers, actor: commandActor)
            }
            switch format {
            case .json: try printJSON(rep)
            case .text: print("Rep \(rep.id) (\(rep.name)) now covers \(coverage(rep.coveredEmployerIDs))")
            }
        }
    }
}

/// `--covers 3,7,12`: employer ids separated by commas.
struct EmployerIDList: ExpressibleByArgument, Sendable {
    var ids: [Int64]

    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        let ids = parts.compactMap { Int64($0) }
        guard !parts.isEmpty, ids.count == parts.count, ids.allSatisfy({ $0 > 0 }) else { return nil }
        self.ids = ids
    }

    static var defaultValueDescription: String { "ID,…" }
}

/// "employers 3, 7" for a sentence.
private func coverage(_ ids: [Int64]) -> String {
    switch ids.count {
    case 0: "no employers"
    case 1: "employer \(ids[0])"
    default: "employers " + ids.map(String.init).joined(separator: ", ")
    }
}

import ArgumentParser
import CharterStore
import Foundation
import PGClient

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "The tamper-evident audit log.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prove the audit chain: every row's hash, every link, and the head.",
            discussion: """
                Exits 0 when the chain is intact, 1 naming the first broken row: its content altered,
                the chain broken before it (a row removed), or the head not matching the last row.
                """)

        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let result = try await withPool { pool in
                try await pool.withConnection { try await AuditTrail.verify(on: $0) }
            }
            switch format {
            case .json: try printJSON(result)
            case .text:
                if let broken = result.firstBreak {
                    printError("audit chain broken: \(broken.message)")
                    printError("(\(result.rowsChecked) rows checked up to there)")
                } else {
                    print("audit chain intact: \(result.rowsChecked) rows")
                    if let head = result.headHash { print("head: \(head)") }
                }
            }
            if !result.isIntact { throw ExitCode(1) }
        }
    }
}

import ArgumentParser
import CharterApp
import CharterStore
import Foundation
import PGClient

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "The tamper-evident audit log.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prove the audit chain: every row's keyed hash, every link, and the head.",
            discussion: """
                Each row's hash must be the HMAC under CHARTERD_AUDIT_KEY (rows written before the chain was \
                keyed carry SHA-256 and are vouched for by the first keyed row). Exits 0 when the chain is \
                intact, 1 naming the first broken row: its content altered, not keyed, the chain broken \
                before it (a row removed), or the head not matching the last row. With --head, the chain \
                must also still contain that head, published earlier (the weekly summary prints it).
                """)

        @Option(
            help: ArgumentHelp(
                "A chain head published earlier (64 hex digits, as the weekly summary prints it) that the chain"
                    + " must still contain.", valueName: "hash"))
        var head: String?
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func validate() throws {
            if let head, AuditTrail.headBytes(head) == nil {
                throw ValidationError(
                    "--head must be a chain head as the weekly summary prints it: 64 hex digits (0-9, a-f)")
            }
        }

        func run() async throws {
            let published = head.flatMap(AuditTrail.headBytes)
            let result = try await withPool { pool in
                guard let key = AuditTrail.key else {
                    throw CommandFailed(description: CharterConfiguration.auditKeyMissing)
                }
                return try await pool.withConnection {
                    try await AuditTrail.verify(on: $0, key: key, publishedHead: published)
                }
            }
            switch format {
            case .json: try printJSON(result)
            case .text:
                if let broken = result.firstBreak {
                    let what = broken.problem == .wrongKey ? "cannot be verified" : "broken"
                    printError("audit chain \(what): \(broken.message)")
                    printError("(\(result.rowsChecked) rows checked up to there)")
                } else {
                    print("audit chain intact: \(result.rowsChecked) rows")
                    if result.unkeyedRows > 0, let seal = result.firstKeyedRow {
                        print("rows written before the audit key: \(result.unkeyedRows), sealed by row \(seal)")
                    }
                    if let head = result.headHash { print("head: \(head)") }
                    if let found = result.publishedHead {
                        if let row = found.rowID {
                            print("published head is in the chain: row \(row), the chain's row \(found.position)")
                        } else {
                            print("published head is the chain's start (the head of an empty log)")
                        }
                    }
                }
            }
            if !result.isIntact { throw ExitCode(1) }
        }

        /// The 32 bytes of a head written as 64 hex digits, or nil.
    }
}

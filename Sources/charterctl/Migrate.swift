import ArgumentParser
import CharterApp
import CharterStore
import Foundation
import Logging
import PGClient

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending schema migrations (the same ones charterd applies at start-up).",
        discussion: """
            Then, as charterd does at start-up, binds the audit chain to CHARTERD_AUDIT_KEY: the first time \
            after an upgrade, the rows written before the chain was keyed are sealed under the key by one \
            audit.seal row; afterwards a key other than the chain's is refused.
            """)

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() async throws {
        let (report, sealed) = try await withDatabase { connection -> (PGMigrator.Report, Int?) in
            let report = try await CharterSchema.migrator().migrate(on: connection)
            guard let key = AuditTrail.key else { return (report, Int?.none) }
            return (report, try await AuditTrail.seal(on: connection, key: key, actor: commandActor))
        }
        if sealed == nil {
            printError(
                "The audit chain is not bound to a key: CHARTERD_AUDIT_KEY is not set; charterd needs it to start"
                    + " (see deploy/README.md).")
        }
        switch format {
        case .json:
            let object: [String: Any] = [
                "applied": report.applied.map(\.fileName), "already_applied": report.alreadyApplied,
                "current": true, "audit_keyed": sealed != nil, "audit_rows_sealed": sealed ?? 0,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            printRawJSON(String(decoding: data, as: UTF8.self))
        case .text:
            if report.applied.isEmpty {
                print("Database schema is current (\(report.alreadyApplied) migrations already applied).")
            } else {
                for migration in report.applied { print("applied \(migration.fileName)") }
                print(
                    "Database schema is current (\(report.applied.count) applied now, \(report.alreadyApplied) before)."
                )
            }
            if let sealed, sealed > 0 {
                print("Audit chain keyed: the \(sealed) rows written before the audit key are sealed under it.")
            }
        }
    }
}

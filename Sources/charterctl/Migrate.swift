import ArgumentParser
import CharterApp
import CharterStore
import Foundation
import Logging
import PGClient

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending schema migrations (the same ones charterd applies at start-up).")

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() async throws {
        let report = try await withDatabase { connection in
            try await CharterSchema.migrator().migrate(on: connection)
        }
        switch format {
        case .json:
            let object: [String: Any] = [
                "applied": report.applied.map(\.fileName), "already_applied": report.alreadyApplied,
                "current": true,
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
        }
    }
}

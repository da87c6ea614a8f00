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
            print(String(decoding: data, as: UTF8.self))
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

/// Runs `body` on one connection to the configured database (starting the embedded cluster if
/// that is what the settings say), then releases the cluster if this command started it.
func withDatabase<Result: Sendable>(_ body: (PGConnection) async throws -> Result) async throws -> Result {
    let configuration: CharterConfiguration
    do {
        configuration = try CharterConfiguration.load()
    } catch {
        throw CommandFailed(description: "\(error)")
    }
    var logger = Logger(label: "charterctl")
    logger.logLevel = .warning
    let database: CharterDatabase
    do {
        database = try await CharterDatabase.open(configuration, logger: logger)
    } catch {
        throw CommandFailed(description: "\(error)")
    }
    do {
        let connection = try await PGConnection.connect(database.conninfo, logger: logger)
        let result = try await body(connection)
        await connection.close()
        _ = try? await database.releaseEmbedded(logger: logger)
        return result
    } catch let error as PGError {
        _ = try? await database.releaseEmbedded(logger: logger)
        throw CommandFailed(description: error.code == .migration ? error.message : "\(error)")
    } catch {
        _ = try? await database.releaseEmbedded(logger: logger)
        throw error
    }
}

import CharterApp
import CharterDomain
import CharterStore
import Foundation
import Logging
import PGClient

/// Runs `body` on one connection to the configured database (starting the embedded cluster if
/// that is what the settings say), then releases the cluster if this command started it.
func withDatabase<Result: Sendable>(_ body: (PGConnection) async throws -> Result) async throws -> Result {
    try await withOpenDatabase { database, logger in
        try await PGConnection.with(database.conninfo, logger: logger, body)
    }
}

/// Runs `body` with a small pool on the configured database, after checking that the schema is
/// current (the stores need every migration; `charterctl migrate` applies them).
func withPool<Result: Sendable>(_ body: (PGPool) async throws -> Result) async throws -> Result {
    try await withOpenDatabase { database, logger in
        let status = try await PGConnection.with(database.conninfo, logger: logger) {
            try await CharterSchema.migrator().status(on: $0)
        }
        guard status.isCurrent else {
            throw CommandFailed(
                description: "the database schema is not current; run `charterctl migrate` (or start charterd) first")
        }
        var configuration = PGPoolConfiguration(conninfo: database.conninfo)
        configuration.maxConnections = 4
        let pool = PGPool(configuration: configuration, logger: logger)
        do {
            let result = try await body(pool)
            await pool.close()
            return result
        } catch {
            await pool.close()
            throw error
        }
    }
}

private func withOpenDatabase<Result: Sendable>(
    _ body: (CharterDatabase, Logger) async throws -> Result
) async throws -> Result {
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
        // Writing commands need the key (every change is audited); the rest run without one.
        do {
            if let key = try configuration.resolveAuditKey(embedded: database.embedded != nil) {
                try AuditTrail.useKey(key)
            }
        } catch {
            throw CommandFailed(description: "\(error)")
        }
        let result = try await body(database, logger)
        _ = try? await database.releaseEmbedded(logger: logger)
        return result
    } catch let error as PGError {
        _ = try? await database.releaseEmbedded(logger: logger)
        throw CommandFailed(description: sentence(for: error))
    } catch let error as CharterStoreError {
        _ = try? await database.releaseEmbedded(logger: logger)
        throw CommandFailed(description: error.message)
    } catch let error as CharterDomainError {
        _ = try? await database.releaseEmbedded(logger: logger)
        throw CommandFailed(description: error.message)
    } catch {
        _ = try? await database.releaseEmbedded(logger: logger)
        throw error
    }
}

/// What went wrong with the database, for the operator at the terminal: the server's own words (its
/// message and hint, which `PGError.description` keeps out of logs because they may quote values) and
/// the SQLSTATE to look up.
func sentence(for error: PGError) -> String {
    switch error.code {
    case .migration: return error.message
    case .server:
        var text = "the database refused: \(error.message)"
        if let state = error.sqlState { text += " (SQLSTATE \(state))" }
        if let hint = error.hint { text += "; \(hint)" }
        return text
    default: return "\(error)"
    }
}

/// Who is acting, for the audit log: the operating-system user running charterctl.
var commandActor: String {
    "charterctl:"
        + (ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? "unknown")
}

/// Prints a Codable value as JSON with snake_case keys, for scripts.
func printJSON<Value: Encodable>(_ value: Value) throws {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    printRawJSON(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Writes a line to standard error, control characters escaped (see `print(_:)`).
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text.escapingControlCharacters + "\n").utf8))
}

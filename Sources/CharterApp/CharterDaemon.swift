import CharterStore
public import Foundation
import Hummingbird
import Logging
import PGClient
import ServiceLifecycle
import UnixSignals

/// charterd: resolve settings, bring up the database, migrate, serve until SIGTERM/SIGINT.
public enum CharterDaemon {
    /// Runs the daemon; returns the process exit status.
    public static func run(environment: [String: String] = ProcessInfo.processInfo.environment) async -> Int32 {
        let configuration: CharterConfiguration
        do {
            configuration = try CharterConfiguration.load(environment: environment)
        } catch {
            FileHandle.standardError.write(Data("charterd: \(error)\n".utf8))
            return 1
        }
        var logger = Logger(label: "charterd")
        logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info

        let database: CharterDatabase
        do {
            database = try await CharterDatabase.open(configuration, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("charterd: \(error)\n".utf8))
            return 1
        }
        var status: Int32 = 0
        do {
            var poolConfiguration = PGPoolConfiguration(conninfo: database.conninfo)
            poolConfiguration.maxConnections = configuration.databasePoolSize
            let pool = PGPool(configuration: poolConfiguration, logger: logger)
            let report = try await pool.withConnection { connection in
                try await CharterSchema.migrator(logger: logger).migrate(on: connection)
            }
            logger.info(
                "database schema is current",
                metadata: ["applied": "\(report.applied.count)", "already": "\(report.alreadyApplied)"])
            // The scheduler and mail delivery run beside the HTTP server; the pool, listed first, stops last.
            var services: [any Service] = [try CharterJobs.scheduler(pool: pool, logger: logger)]
            if let delivery = OutboxDelivery.daemonService(
                configuration: configuration, pool: pool, conninfo: database.conninfo, logger: logger)
            {
                services.append(delivery)
            }
            let application = CharterServer.application(
                configuration: configuration, pool: pool, logger: logger, services: services)
            try await application.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch {
            FileHandle.standardError.write(Data("charterd: \(error)\n".utf8))
            status = 1
        }
        do {
            try await database.releaseEmbedded(logger: logger)
        } catch {
            FileHandle.standardError.write(Data("charterd: stopping the embedded database: \(error)\n".utf8))
            status = 1
        }
        logger.info("charterd stopped")
        return status
    }
}

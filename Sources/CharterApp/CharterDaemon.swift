import CharterStore
import CharterUseCases
public import Foundation
import Hummingbird
import Logging
import PGClient
import ServiceLifecycle
import UnixSignals

/// charterd: resolve settings, bring up the database, migrate, serve until SIGTERM/SIGINT.
///
/// Under systemd (`Type=notify`) it says `READY=1` once the schema is current and the HTTP listener
/// is bound, `STOPPING=1` when graceful shutdown begins, and `WATCHDOG=1` while it runs if systemd
/// asks for it (`SystemdNotifier`, `SystemdWatchdog`).
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
        // Once per process, before any Logger or metric exists: logfmt/JSON lines on standard output, and
        // the Prometheus registry behind /metrics.
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        CharterLogging.bootstrap(format: configuration.logFormat, level: level)
        CharterMetrics.bootstrap()
        var configuredLogger = Logger(label: "charterd")
        configuredLogger.logLevel = level
        let logger = configuredLogger
        let notifier: SystemdNotifier
        do {
            notifier = try SystemdNotifier(environment: environment)
        } catch {
            FileHandle.standardError.write(Data("charterd: \(error)\n".utf8))
            return 1
        }
        // A notification systemd misses is logged, never fatal: systemd then acts on its own timeouts.
        @Sendable func tellSystemd(_ send: () throws -> Void) {
            do {
                try send()
            } catch {
                logger.warning("cannot notify systemd", metadata: ["error": "\(error)"])
            }
        }
        tellSystemd { try notifier.status("opening the database") }

        let database: CharterDatabase
        do {
            database = try await CharterDatabase.open(configuration, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("charterd: \(error)\n".utf8))
            return 1
        }
        var status: Int32 = 0
        do {
            // Before anything is written: every change is audited, and the chain is keyed (SPEC §8).
            guard let auditKey = try configuration.resolveAuditKey(embedded: database.embedded != nil) else {
                throw ConfigurationError(CharterConfiguration.auditKeyMissing)
            }
            try AuditTrail.useKey(auditKey)
            var poolConfiguration = PGPoolConfiguration(conninfo: database.conninfo)
            poolConfiguration.maxConnections = configuration.databasePoolSize
            poolConfiguration.onAcquireWait = CharterMetrics.recordAcquireWait
            poolConfiguration.onStatementWait = CharterMetrics.recordStatementWait
            let pool = PGPool(configuration: poolConfiguration, logger: logger)
            tellSystemd { try notifier.status("applying database migrations") }
            let report = try await pool.withConnection { connection in
                try await CharterSchema.migrator(logger: logger).migrate(on: connection)
            }
            logger.info(
                "database schema is current",
                metadata: ["applied": "\(report.applied.count)", "already": "\(report.alreadyApplied)"])
            // Refuses a key other than the chain's; the first time, seals the rows written before the key.
            let sealed = try await pool.withConnection { connection in
                try await AuditTrail.seal(on: connection, key: auditKey, actor: "charterd")
            }
            if sealed > 0 {
                logger.notice(
                    "audit chain keyed: the rows written before the audit key are sealed under it",
                    metadata: ["rows": "\(sealed)"])
            }
            // The scheduler and mail delivery run beside the HTTP server; the pool, listed first, stops last.
            let renderer = try ReportRenderers.renderer(for: configuration)
            var background: [any Service] = [
                try CharterJobs.scheduler(
                    pool: pool, logger: logger, renderer: renderer, schedules: configuration.jobSchedules),
                MetricsSampler(pool: pool, logger: logger),
            ]
            if let delivery = try OutboxDelivery.daemonService(
                configuration: configuration, pool: pool, conninfo: database.conninfo, logger: logger)
            {
                background.append(delivery)
            }
            // Ready means migrated (above) and listening (now).
            let application = CharterServer.application(
                configuration: configuration, pool: pool, logger: logger, services: background,
                reportQueue: ReportQueue(renderer: renderer),
                onListening: { url in tellSystemd { try notifier.ready(status: "serving \(url)") } })
            // The systemd service goes last, so it is the first told of graceful shutdown (STOPPING=1).
            var services: [any Service] = [application]
            if notifier.isEnabled { services.append(SystemdWatchdog(notifier: notifier, logger: logger)) }
            let group = ServiceGroup(
                configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
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

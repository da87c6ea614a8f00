import Foundation
public import Logging
import MailTransport
public import PGClient

extension OutboxDelivery {
    /// The transport `CHARTERD_MAIL_TRANSPORT` names, or nil when no delivery worker should run.
    ///
    /// `none` (SPEC §7, "kept for download") runs no worker: messages stay `queued` in the outbox, where
    /// `charterctl outbox export` writes them out as `.eml` files, and a later switch to a real transport
    /// sends them. `eml` writes each message to `<state directory>/mail/<id>.eml` for the site's own MTA
    /// to pick up; `smtp` hands it to the relay `CHARTERD_SMTP_URL` names (STARTTLS or TLS, AUTH).
    ///
    /// - Throws: a sentence naming the setting when the SMTP URL or CA file is unusable, so charterd
    ///   refuses to start rather than queueing mail it can never send.
    static func transport(for configuration: CharterConfiguration, logger: Logger) throws -> (any OutboxTransport)? {
        switch configuration.mailTransport {
        case .none:
            return nil
        case .eml:
            let directory = configuration.stateDirectory.appendingPathComponent("mail")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return OutboxMailTransport(EMLDirectoryTransport(directory: directory.path))
        case .smtp:
            guard let url = configuration.smtpURL else {
                throw ConfigurationError("CHARTERD_MAIL_TRANSPORT is smtp but CHARTERD_SMTP_URL is not set")
            }
            var settings: SMTPSettings
            do {
                settings = try SMTPSettings(url: url)
            } catch {
                throw ConfigurationError("CHARTERD_SMTP_URL is not usable: \(error)")
            }
            settings.trustedCertificatePath = configuration.smtpCAFile
            do {
                return OutboxMailTransport(try SMTPClient(settings: settings, logger: logger))
            } catch {
                throw ConfigurationError("CHARTERD_SMTP_CA_FILE is not usable: \(error)")
            }
        }
    }

    /// The delivery worker charterd runs beside the scheduler, or nil (see `transport(for:)`).
    ///
    /// - Parameter conninfo: where the worker listens for `NOTIFY outbox`; a secret, never logged.
    public static func daemonService(
        configuration: CharterConfiguration, pool: PGPool, conninfo: String, logger: Logger
    ) throws -> OutboxDelivery? {
        guard let transport = try transport(for: configuration, logger: logger) else {
            logger.info("CHARTERD_MAIL_TRANSPORT is none: emails stay queued in the outbox for export")
            return nil
        }
        return OutboxDelivery(
            pool: pool, listenConninfo: conninfo, transport: transport, logger: logger,
            onEvent: CharterMetrics.recordOutboxEvent)
    }
}

public import Logging
public import PGClient

extension OutboxDelivery {
    /// The transport `CHARTERD_MAIL_TRANSPORT` names, or nil when no delivery worker should run.
    ///
    /// `none` (SPEC §7, "kept for download") runs no worker: messages stay `queued` in the outbox, where
    /// `charterctl outbox export` writes them out as `.eml` files, and a later switch to a real transport
    /// sends them. `eml` and `smtp` are adapted here from the Mail module's `.eml` writer and SMTP client;
    /// until those land they too return nil, and charterd says so at start-up.
    static func transport(for configuration: CharterConfiguration) -> (any OutboxTransport)? {
        switch configuration.mailTransport {
        case .none, .eml, .smtp: nil
        }
    }

    /// The delivery worker charterd runs beside the scheduler, or nil (see `transport(for:)`).
    ///
    /// - Parameter conninfo: where the worker listens for `NOTIFY outbox`; a secret, never logged.
    public static func daemonService(
        configuration: CharterConfiguration, pool: PGPool, conninfo: String, logger: Logger
    ) -> OutboxDelivery? {
        guard let transport = transport(for: configuration) else {
            if configuration.mailTransport != .none {
                logger.warning(
                    "no mail transport is built into this charterd yet; emails stay queued in the outbox",
                    metadata: ["transport": "\(configuration.mailTransport.rawValue)"])
            }
            return nil
        }
        return OutboxDelivery(pool: pool, listenConninfo: conninfo, transport: transport, logger: logger)
    }
}

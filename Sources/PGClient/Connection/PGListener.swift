public import Logging

/// Notifications from `LISTEN` on a dedicated connection, as an `AsyncSequence`.
///
/// Iterating opens the connection and listens on the channels. When the connection is lost
/// (server restart, `pg_terminate_backend`), the iterator reconnects with backoff and listens
/// again; notifications sent while it was disconnected are lost, as PostgreSQL defines. The
/// iterating task drives everything: cancelling it ends the sequence and closes the connection.
public struct PGListener: AsyncSequence, Sendable {
    public typealias Element = PGNotification

    public let conninfo: String
    public let channels: [String]
    let logger: Logger
    let onListening: (@Sendable (Int32) -> Void)?

    /// - Parameter onListening: called with the backend PID each time the listener has
    ///   (re)connected and issued every `LISTEN`.
    public init(
        conninfo: String, channels: [String], logger: Logger = Logger(label: "pg.listener"),
        onListening: (@Sendable (Int32) -> Void)? = nil
    ) {
        self.conninfo = conninfo
        self.channels = channels
        self.logger = logger
        self.onListening = onListening
    }

    public func makeAsyncIterator() -> Iterator { Iterator(listener: self) }

    public struct Iterator: AsyncIteratorProtocol {
        let listener: PGListener
        var connection: PGConnection?
        var pending: [PGNotification] = []
        var failures = 0

        public mutating func next() async throws -> PGNotification? {
            while pending.isEmpty {
                if Task.isCancelled {
                    await connection?.close()
                    connection = nil
                    return nil
                }
                do {
                    let connection = try await connected()
                    pending = try await connection.waitForNotifications(timeout: .milliseconds(200))
                    failures = 0
                } catch is CancellationError {
                    return nil
                } catch {
                    listener.logger.warning("listener connection lost; reconnecting", metadata: ["error": "\(error)"])
                    await connection?.close()
                    connection = nil
                    failures += 1
                    let pause = Swift.min(100 * (1 << Swift.min(failures, 5)), 2_000)
                    do { try await Task.sleep(for: .milliseconds(pause)) } catch { return nil }
                }
            }
            return pending.removeFirst()
        }

        private mutating func connected() async throws -> PGConnection {
            if let connection, await !connection.isBroken { return connection }
            let fresh = try await PGConnection.connect(listener.conninfo, logger: listener.logger)
            for channel in listener.channels {
                try await fresh.execute("LISTEN \(identifier: channel)")
            }
            connection = fresh
            listener.onListening?(fresh.backendPID)
            return fresh
        }
    }
}

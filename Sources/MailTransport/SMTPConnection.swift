import Logging
import NIOCore
import NIOSSL
import Synchronization

/// One SMTP connection in the middle of a dialogue: sends command lines and reads whole replies, each within a
/// timeout.
///
/// Built on NIO's async bridge (`NIOAsyncChannel`) rather than a hand-written `ChannelHandler` state machine: the
/// dialogue is strictly one command, one reply, so plain `async` code reads like RFC 5321 itself, and
/// backpressure on large messages comes for free from the outbound writer. The pipeline holds only the TLS handler
/// (added at the front for STARTTLS), a ``PlaintextByteCounter`` and the bridge; replies are parsed here by
/// ``SMTPReplyParser`` so the client can check that nothing was pipelined behind the STARTTLS reply.
///
/// Not `Sendable`: it belongs to the one task running ``SMTPClient/send(_:message:)``.
final class SMTPConnection {
    private let channel: any Channel
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var parser = SMTPReplyParser()
    /// Bytes taken from the inbound stream so far; see ``PlaintextByteCounter``.
    private var bytesRead = 0
    private let logger: Logger
    /// Whether the connection is encrypted (implicit TLS, or after STARTTLS).
    private(set) var isEncrypted: Bool

    init(
        channel: any Channel,
        inbound: NIOAsyncChannelInboundStream<ByteBuffer>,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        isEncrypted: Bool,
        logger: Logger
    ) {
        self.channel = channel
        self.inbound = inbound.makeAsyncIterator()
        self.outbound = outbound
        self.isEncrypted = isEncrypted
        self.logger = logger
    }

    /// Reads the next whole reply.
    func readReply(within timeout: Duration) async throws -> SMTPReply {
        try await self.withTimeout(timeout, doing: "waiting for the server's reply") {
            try await self.readReplyWithoutTimeout()
        }
    }

    /// Sends one command line (CRLF added) and reads its reply.
    ///
    /// - Parameter logAs: What to log instead of the line, for AUTH lines that carry credentials.
    func command(_ line: String, logAs: String? = nil, within timeout: Duration) async throws -> SMTPReply {
        self.logger.debug("SMTP command", metadata: ["command": "\(logAs ?? line)"])
        return try await self.withTimeout(timeout, doing: "waiting for the reply to \(logAs ?? line)") {
            try await self.writeWithoutTimeout(ByteBuffer(string: line + "\r\n"))
            let reply = try await self.readReplyWithoutTimeout()
            self.logger.debug("SMTP reply", metadata: ["reply": "\(reply)"])
            return reply
        }
    }

    /// Sends the message data in chunks and reads the reply to its end, all within `timeout`.
    func sendData(_ bytes: [UInt8], within timeout: Duration) async throws -> SMTPReply {
        try await self.withTimeout(timeout, doing: "sending the message") {
            let chunkSize = 64 * 1024
            var start = 0
            while start < bytes.count {
                let end = min(start + chunkSize, bytes.count)
                try await self.writeWithoutTimeout(ByteBuffer(bytes: bytes[start..<end]))
                start = end
            }
            return try await self.readReplyWithoutTimeout()
        }
    }

    /// Switches the connection to TLS after the server's 220 reply to STARTTLS.
    ///
    /// Refuses when the server sent anything after that reply: those bytes came in the clear and would otherwise be
    /// read as the first reply over TLS (the STARTTLS response-injection attack). Bytes already parsed are checked
    /// here; bytes still in the bridge's buffer are found by comparing ``PlaintextByteCounter``'s count, taken on
    /// the event loop as TLS is added, with what was read. The TLS handler goes at the front of the pipeline, so
    /// every byte read from then on is decrypted before the bridge sees it; writes made before the handshake
    /// finishes are held by the handler until it does.
    func startTLS(context: NIOSSLContext, serverHostname: String?) async throws {
        guard !self.parser.hasUnreadBytes else {
            throw MailTransportError(
                code: .protocolViolation,
                failure: .transient,
                message: "The server sent data after agreeing to STARTTLS; refusing to read it as if it were encrypted."
            )
        }
        let plaintextBytes: Int
        do {
            plaintextBytes = try await self.channel.eventLoop.submit { [channel] in
                let counter = try channel.pipeline.syncOperations.handler(type: PlaintextByteCounter.self)
                let handler = try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
                try channel.pipeline.syncOperations.addHandler(handler, position: .first)
                return counter.count
            }.get()
        } catch {
            throw SMTPConnection.classify(error, doing: "starting TLS")
        }
        guard plaintextBytes == self.bytesRead else {
            throw MailTransportError(
                code: .protocolViolation,
                failure: .transient,
                message: "The server sent data after agreeing to STARTTLS; refusing to read it as if it were encrypted."
            )
        }
        self.isEncrypted = true
    }

    private func readReplyWithoutTimeout() async throws -> SMTPReply {
        while true {
            if let reply = try self.parser.nextReply() {
                return reply
            }
            let bytes: ByteBuffer?
            do {
                bytes = try await self.inbound.next()
            } catch {
                throw SMTPConnection.classify(error, doing: "reading the server's reply")
            }
            guard let bytes else {
                throw MailTransportError(
                    code: .connectionClosed,
                    failure: .transient,
                    message: "The server closed the connection before replying."
                )
            }
            self.bytesRead += bytes.readableBytes
            self.parser.append(bytes)
        }
    }

    private func writeWithoutTimeout(_ bytes: ByteBuffer) async throws {
        do {
            try await self.outbound.write(bytes)
        } catch {
            let writeError = SMTPConnection.classify(error, doing: "sending to the server")
            // A failed write only says the channel closed; the reason is usually waiting in the inbound stream (a
            // failed TLS handshake, or a 421 the server sent before hanging up), and that is what the outbox needs.
            do {
                let reply = try await self.readReplyWithoutTimeout()
                if let failure = reply.failure {
                    throw MailTransportError(
                        code: .replyRejected,
                        failure: failure,
                        message: "The server ended the session.",
                        reply: reply
                    )
                }
            } catch let readError as MailTransportError where readError.code != .connectionClosed {
                throw readError
            } catch {
                // Nothing better to report than the write's failure.
            }
            throw writeError
        }
    }

    /// Runs `body`; if it has not finished after `timeout`, closes the channel so its pending read or write fails,
    /// and reports a timeout instead of that failure.
    ///
    /// Closing from the event loop is how NIO cancels I/O: the inbound iterator is not `Sendable`, so it cannot be
    /// raced against a sleep in a task group.
    private func withTimeout<Result>(
        _ timeout: Duration,
        doing activity: String,
        _ body: () async throws -> Result
    ) async throws -> Result {
        let fired = TimeoutFlag()
        let channel = self.channel
        let scheduled = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            fired.fire()
            channel.close(promise: nil)
        }
        defer { scheduled.cancel() }
        do {
            return try await body()
        } catch {
            guard fired.hasFired else { throw error }
            throw MailTransportError(
                code: .timedOut,
                failure: .transient,
                message: "The server did not answer within \(timeout) while \(activity).",
                underlying: error
            )
        }
    }

    /// Maps an error from NIO or NIOSSL to ``MailTransportError``; connection faults are always transient.
    static func classify(_ error: any Error, doing activity: String) -> MailTransportError {
        if let error = error as? MailTransportError {
            return error
        }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return MailTransportError(
                code: .tlsFailed,
                failure: .transient,
                message: "The TLS handshake with the server failed while \(activity): \(error).",
                underlying: error
            )
        }
        return MailTransportError(
            code: .connectionClosed,
            failure: .transient,
            message: "The connection to the server failed while \(activity).",
            underlying: error
        )
    }
}

/// Set from the event loop when a timeout fires, read by the task that awaited the I/O.
private final class TimeoutFlag: Sendable {
    private let fired = Atomic(false)

    func fire() { self.fired.store(true, ordering: .sequentiallyConsistent) }

    var hasFired: Bool { self.fired.load(ordering: .sequentiallyConsistent) }
}

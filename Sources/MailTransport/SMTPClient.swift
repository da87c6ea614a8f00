public import Logging
public import NIOCore
public import NIOPosix
import NIOSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Delivers rendered messages to an SMTP relay: STARTTLS or implicit TLS, AUTH PLAIN or LOGIN, and a batch of
/// messages over one connection (`sendEach`), since a nightly run of a large charter queues thousands of digests
/// and a TLS handshake and AUTH for each would cost more than the messages.
///
/// Nothing stays open between batches. The client knows nothing of MIME: it takes the bytes the renderer produced
/// and only fixes line endings and dot-stuffs them for DATA.
public struct SMTPClient: MailTransporting {
    /// Where and how to connect; the password is never logged.
    public let settings: SMTPSettings
    private let eventLoopGroup: any EventLoopGroup
    private let tlsContext: NIOSSLContext?
    private let logger: Logger

    /// A client for `settings`.
    ///
    /// - Throws: ``MailTransportError`` (``MailTransportError/Code/invalidSettings``) when the extra CA file cannot
    ///   be read or TLS cannot be set up — at start-up, not at the first message.
    public init(
        settings: SMTPSettings,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "charterwatch.mail.smtp")
    ) throws {
        self.settings = settings
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        if settings.security == .none {
            self.tlsContext = nil
        } else {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.minimumTLSVersion = .tlsv12
            if let path = settings.trustedCertificatePath {
                configuration.additionalTrustRoots = [.file(path)]
            }
            do {
                self.tlsContext = try NIOSSLContext(configuration: configuration)
            } catch {
                throw MailTransportError(
                    code: .invalidSettings,
                    failure: .permanent,
                    message: "TLS could not be set up for \(settings); check the trusted certificate file.",
                    underlying: error
                )
            }
        }
    }

    public func send(_ envelope: MailEnvelope, message: [UInt8]) async throws -> SMTPDeliveryReport {
        var outcome: Result<SMTPDeliveryReport, any Error>?
        var given = false
        await self.sendEach(
            next: {
                defer { given = true }
                return given ? nil : (envelope, message)
            },
            sent: { outcome = $0 })
        guard let outcome else { throw CancellationError() }
        return try outcome.get()
    }

    /// Sends the messages `next` gives, one after the other, over one connection: greeting, EHLO,
    /// STARTTLS and AUTH once, then MAIL, RCPT and DATA for each message (RFC 5321 §3.3), and QUIT when
    /// `next` gives nil. A message the server refuses is reset with RSET and the session goes on; when
    /// the connection fails, that message fails and the next one opens a new connection.
    public func sendEach(
        next: () async -> (MailEnvelope, [UInt8])?,
        sent: (Result<SMTPDeliveryReport, any Error>) async -> Void
    ) async {
        // A message whose connection failed after carrying others (the relay closed an idle session, say):
        // tried once more on a fresh connection before it counts as failed.
        var carried: (MailEnvelope, [UInt8])?
        while !Task.isCancelled {
            let first: (MailEnvelope, [UInt8])
            if let message = carried {
                first = message
                carried = nil
            } else if let message = await self.nextValid(next, sent: sent) {
                first = message
            } else {
                return
            }
            let asyncChannel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
            do {
                asyncChannel = try await self.connect()
            } catch {
                await sent(.failure(error))
                continue
            }
            // The message in hand until it is answered for, and how many this connection has carried.
            var current: (MailEnvelope, [UInt8])? = first
            var answered = 0
            do {
                try await asyncChannel.executeThenClose { inbound, outbound in
                    let connection = SMTPConnection(
                        channel: asyncChannel.channel,
                        inbound: inbound,
                        outbound: outbound,
                        isEncrypted: self.settings.security == .implicitTLS,
                        logger: self.logger
                    )
                    try await self.open(over: connection)
                    while let (envelope, message) = current {
                        do {
                            let report = try await self.transaction(
                                over: connection, envelope: envelope, message: message)
                            current = nil
                            answered += 1
                            await sent(.success(report))
                        } catch let error as MailTransportError where error.leavesSessionOpen {
                            current = nil
                            answered += 1
                            await sent(.failure(error))
                            try await self.reset(over: connection)
                        }
                        current = await self.nextValid(next, sent: sent)
                    }
                    await self.quit(over: connection)
                }
            } catch {
                // The connection failed, and the message in hand (if any) with it.
                if let message = current {
                    if answered > 0 && !(error is CancellationError) {
                        carried = message
                    } else {
                        await sent(.failure(error))
                    }
                }
            }
        }
        if carried != nil { await sent(.failure(CancellationError())) }
    }

    /// The next message whose envelope can be sent, answering for the others as they come.
    private func nextValid(
        _ next: () async -> (MailEnvelope, [UInt8])?,
        sent: (Result<SMTPDeliveryReport, any Error>) async -> Void
    ) async -> (MailEnvelope, [UInt8])? {
        while let candidate = await next() {
            do {
                try Self.validate(candidate.0)
                return candidate
            } catch {
                await sent(.failure(error))
            }
        }
        return nil
    }

    /// RFC 5321 §3 up to the first transaction: the greeting, EHLO, STARTTLS and EHLO again, AUTH.
    private func open(over connection: SMTPConnection) async throws {
        let timeout = self.settings.commandTimeout
        let greeting = try await connection.readReply(within: timeout)
        guard greeting.code == 220 else {
            throw Self.refusal(greeting, code: .replyRejected, "The server refused the connection in its greeting.")
        }

        var extensions = try await self.hello(over: connection)
        if self.settings.security == .startTLS {
            guard extensions.offersStartTLS, let tlsContext = self.tlsContext else {
                throw MailTransportError(
                    code: .startTLSUnavailable,
                    failure: .transient,
                    message: "The server at \(self.settings.host) does not offer STARTTLS, which smtp:// requires."
                )
            }
            let reply = try await connection.command("STARTTLS", within: timeout)
            guard reply.code == 220 else {
                throw Self.refusal(reply, code: .startTLSUnavailable, "The server refused STARTTLS.")
            }
            try await connection.startTLS(context: tlsContext, serverHostname: self.serverHostname)
            // RFC 3207 §4.2: forget everything learnt before TLS and ask again.
            extensions = try await self.hello(over: connection)
        }

        if let username = self.settings.username {
            try await self.authenticate(
                over: connection,
                username: username,
                password: self.settings.password ?? "",
                extensions: extensions
            )
        }
    }

    /// One message: MAIL FROM, RCPT TO for each recipient, DATA.
    private func transaction(
        over connection: SMTPConnection,
        envelope: MailEnvelope,
        message: [UInt8]
    ) async throws -> SMTPDeliveryReport {
        let timeout = self.settings.commandTimeout
        let mailReply = try await connection.command("MAIL FROM:<\(envelope.from)>", within: timeout)
        guard mailReply.isPositiveCompletion else {
            throw Self.refusal(mailReply, code: .replyRejected, "The server refused the sender \(envelope.from).")
        }

        var results: [SMTPRecipientResult] = []
        for recipient in envelope.recipients {
            let reply = try await connection.command("RCPT TO:<\(recipient)>", within: timeout)
            if reply.code == 421 {
                // The server is shutting the connection down; that says nothing about this recipient.
                throw Self.refusal(reply, code: .replyRejected, "The server closed the session during RCPT TO.")
            }
            let outcome: SMTPRecipientResult.Outcome = reply.isPositiveCompletion ? .accepted(reply) : .rejected(reply)
            results.append(SMTPRecipientResult(address: recipient, outcome: outcome))
        }
        guard results.contains(where: \.isAccepted) else {
            throw Self.allRecipientsRejected(results)
        }

        let dataReply = try await connection.command("DATA", within: timeout)
        guard dataReply.code == 354 else {
            throw Self.refusal(dataReply, code: .replyRejected, "The server refused DATA.")
        }
        let messageReply = try await connection.sendData(
            SMTPDataEncoding.encode(message),
            within: self.settings.dataTimeout
        )
        guard messageReply.isPositiveCompletion else {
            throw Self.refusal(messageReply, code: .replyRejected, "The server refused the message.")
        }
        self.logger.info(
            "SMTP message accepted",
            metadata: [
                "recipients": "\(results.filter(\.isAccepted).count)/\(results.count)",
                "reply": "\(messageReply)",
            ]
        )
        // The message is the server's now: whatever happens to the session after, it is not sent again.
        return SMTPDeliveryReport(recipients: results, messageReply: messageReply)
    }

    /// RSET after a refused message, so the next one starts a fresh transaction (RFC 5321 §4.1.1.5).
    private func reset(over connection: SMTPConnection) async throws {
        let reply = try await connection.command("RSET", within: self.settings.commandTimeout)
        guard reply.isPositiveCompletion else {
            throw Self.refusal(reply, code: .replyRejected, "The server refused RSET.")
        }
    }

    /// EHLO, or HELO when the server does not know EHLO (a 5xx to EHLO; RFC 5321 §3.2).
    private func hello(over connection: SMTPConnection) async throws -> SMTPExtensions {
        let name = self.settings.ehloName ?? Self.localHostName()
        let timeout = self.settings.commandTimeout
        let reply = try await connection.command("EHLO \(name)", within: timeout)
        if reply.isPositiveCompletion {
            return SMTPExtensions(ehloReply: reply)
        }
        guard reply.failure == .permanent else {
            throw Self.refusal(reply, code: .replyRejected, "The server refused EHLO.")
        }
        let heloReply = try await connection.command("HELO \(name)", within: timeout)
        guard heloReply.isPositiveCompletion else {
            throw Self.refusal(heloReply, code: .replyRejected, "The server refused both EHLO and HELO.")
        }
        return SMTPExtensions()
    }

    private func quit(over connection: SMTPConnection) async {
        do {
            _ = try await connection.command("QUIT", within: self.settings.commandTimeout)
        } catch {
            self.logger.debug("SMTP QUIT failed; the connection is closed anyway", metadata: ["error": "\(error)"])
        }
    }

    private func connect() async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        let tlsContext = self.settings.security == .implicitTLS ? self.tlsContext : nil
        let serverHostname = self.serverHostname
        do {
            return try await ClientBootstrap(group: self.eventLoopGroup)
                .connectTimeout(TimeAmount(self.settings.connectTimeout))
                .connect(host: self.settings.host, port: self.settings.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(PlaintextByteCounter())
                        if let tlsContext {
                            let handler = try NIOSSLClientHandler(context: tlsContext, serverHostname: serverHostname)
                            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
                        }
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw MailTransportError(
                code: .connectionFailed,
                failure: .transient,
                message: "Could not connect to the SMTP server \(self.settings.host) port \(self.settings.port).",
                underlying: error
            )
        }
    }

    /// The name for SNI and certificate checks; `nil` for an IP address, which NIOSSL then checks against the
    /// certificate's IP addresses instead (SNI cannot carry an IP address).
    private var serverHostname: String? {
        let host = self.settings.host
        return (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
    }

    /// Refuses envelopes whose addresses would change the dialogue: a CR or LF would start a new command.
    static func validate(_ envelope: MailEnvelope) throws {
        func isSafe(_ address: String) -> Bool {
            !address.unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == "<" || $0 == ">" || $0 == "\0" }
        }
        guard isSafe(envelope.from) else {
            throw MailTransportError(
                code: .invalidEnvelope,
                failure: .permanent,
                message: "The sender address contains a line break, NUL or angle bracket."
            )
        }
        guard !envelope.recipients.isEmpty else {
            throw MailTransportError(
                code: .invalidEnvelope, failure: .permanent, message: "The envelope has no recipients.")
        }
        guard envelope.recipients.allSatisfy({ !$0.isEmpty && isSafe($0) }) else {
            throw MailTransportError(
                code: .invalidEnvelope,
                failure: .permanent,
                message: "A recipient address is empty or contains a line break, NUL or angle bracket."
            )
        }
    }

    /// The error for a refusing reply: transient for 4xx, permanent for 5xx, as the outbox needs.
    static func refusal(_ reply: SMTPReply, code: MailTransportError.Code, _ sentence: String) -> MailTransportError {
        MailTransportError(code: code, failure: reply.failure ?? .permanent, message: sentence, reply: reply)
    }

    /// Every recipient refused: transient if any refusal was 4xx (waiting may help), otherwise permanent.
    private static func allRecipientsRejected(_ results: [SMTPRecipientResult]) -> MailTransportError {
        let replies = results.compactMap(\.reply)
        let transient = replies.first { $0.failure == .transient }
        let failure: SMTPFailure = transient == nil ? .permanent : .transient
        return MailTransportError(
            code: .recipientsRejected,
            failure: failure,
            message: "The server refused every recipient; the message was not sent.",
            reply: transient ?? replies.first,
            recipients: results
        )
    }

    /// The machine's host name for EHLO (RFC 5321 §4.1.4 asks for the client's own name).
    private static func localHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}

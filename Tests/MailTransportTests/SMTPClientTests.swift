import Foundation
import MailTransport
import NIOCore
import NIOPosix
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Delivery to a real SMTP server (aiosmtpd, started by each test), over STARTTLS with AUTH.
@Suite(.timeLimit(.minutes(10))) struct SMTPClientTests {
    static let from = "charter@charterwatch.test"
    static let rep = "rep@union.test"

    static func settings(
        port: Int,
        password: String = SMTPTestServer.password,
        trustTestCertificate: Bool = true
    ) -> SMTPSettings {
        var settings = SMTPSettings(
            host: "127.0.0.1",
            port: port,
            security: .startTLS,
            username: SMTPTestServer.username,
            password: password
        )
        if trustTestCertificate {
            settings.trustedCertificatePath = TestCertificate.shared.certificatePath
        }
        settings.ehloName = "client.charterwatch.test"
        settings.connectTimeout = .seconds(5)
        settings.commandTimeout = .seconds(20)
        return settings
    }

    /// A message with the lines dot-stuffing exists for: a lone ".", lines starting with "." and "..".
    static let trickyMessage = Array(
        ("From: CharterWatch <charter@charterwatch.test>\r\n"
            + "To: rep@union.test\r\n"
            + "Subject: Digest\r\n"
            + "\r\n"
            + "First line\r\n"
            + ".\r\n"
            + "..two dots\r\n"
            + ".one dot\r\n"
            + "...\r\n"
            + "last line\r\n").utf8
    )

    @Test func deliversOnceOverStartTLSWithAuthPlainAndKeepsEveryByte() async throws {
        try await SMTPTestServer.with { server in
            let client = try SMTPClient(settings: Self.settings(port: server.port))
            let report = try await client.send(
                MailEnvelope(from: Self.from, recipients: [Self.rep]),
                message: Self.trickyMessage
            )
            #expect(report.accepted == [Self.rep])
            #expect(report.rejected.isEmpty)
            #expect(report.messageReply?.code == 250)

            let deliveries = try server.deliveries()
            #expect(deliveries.count == 1)
            let delivery = try #require(deliveries.first)
            #expect(delivery.bytes == Self.trickyMessage)
            #expect(delivery.tls)
            #expect(delivery.auth_mechanism == "PLAIN")
            #expect(delivery.mail_from == Self.from)
            #expect(delivery.rcpt_tos == [Self.rep])
        }
    }

    @Test func signsInWithAuthLoginWhenThatIsAllTheServerOffers() async throws {
        try await SMTPTestServer.with(["--only-auth", "LOGIN"]) { server in
            let client = try SMTPClient(settings: Self.settings(port: server.port))
            _ = try await client.send(
                MailEnvelope(from: Self.from, recipients: [Self.rep]), message: Self.trickyMessage)
            let deliveries = try server.deliveries()
            #expect(deliveries.count == 1)
            #expect(deliveries.first?.auth_mechanism == "LOGIN")
            #expect(deliveries.first?.tls == true)
        }
    }

    @Test func smtpsSpeaksTLSFromTheFirstByte() async throws {
        try await SMTPTestServer.with(["--implicit-tls"]) { server in
            var settings = Self.settings(port: server.port)
            settings.security = .implicitTLS
            let client = try SMTPClient(settings: settings)
            _ = try await client.send(
                MailEnvelope(from: Self.from, recipients: [Self.rep]), message: Self.trickyMessage)
            let deliveries = try server.deliveries()
            #expect(deliveries.count == 1)
            #expect(deliveries.first?.tls == true)
            #expect(deliveries.first?.bytes == Self.trickyMessage)
        }
    }

    @Test func aWrongPasswordIsAPermanent535() async throws {
        try await SMTPTestServer.with { server in
            let client = try SMTPClient(settings: Self.settings(port: server.port, password: "wrong"))
            let error = try await #require(throws: MailTransportError.self) {
                try await client.send(
                    MailEnvelope(from: Self.from, recipients: [Self.rep]), message: Self.trickyMessage)
            }
            #expect(error.code == .authenticationFailed)
            #expect(error.failure == .permanent)
            #expect(error.reply?.code == 535)
            #expect(!error.description.contains("wrong"))
            #expect(try server.deliveries().isEmpty)
        }
    }

    @Test func aRecipientRefusedWith550IsPermanentAndKeepsTheServersWords() async throws {
        let refused = "gone@employer.test"
        try await SMTPTestServer.with(["--reject", refused]) { server in
            let client = try SMTPClient(settings: Self.settings(port: server.port))
            let error = try await #require(throws: MailTransportError.self) {
                try await client.send(MailEnvelope(from: Self.from, recipients: [refused]), message: Self.trickyMessage)
            }
            #expect(error.code == .recipientsRejected)
            #expect(error.failure == .permanent)
            #expect(error.reply?.code == 550)
            #expect(error.reply?.text.contains("Recipient address rejected: no such user") == true)
            #expect(error.recipients.map(\.address) == [refused])
            #expect(try server.deliveries().isEmpty, "no DATA when every recipient was refused")
        }
    }

    @Test func aRecipientDeferredWith451IsTransient() async throws {
        let deferred = "busy@employer.test"
        try await SMTPTestServer.with(["--defer", deferred]) { server in
            let client = try SMTPClient(settings: Self.settings(port: server.port))
            let error = try await #require(throws: MailTransportError.self) {
                try await client.send(
                    MailEnvelope(from: Self.from, recipients: [deferred]), message: Self.trickyMessage)
            }
            #expect(error.code == .recipientsRejected)
            #expect(error.failure == .transient)
            #expect(error.reply?.code == 451)
            #expect(try server.deliveries().isEmpty)
        }
    }

    @Test func oneRefusedRecipientDoesNotStopTheOthers() async throws {
        let refused = "gone@employer.test"
        try await SMTPTestServer.with(["--reject", refused]) { server in
            let client = try SMTPClient(settings: Self.settings(port: server.port))
            let report = try await client.send(
                MailEnvelope(from: Self.from, recipients: [refused, Self.rep]),
                message: Self.trickyMessage
            )
            #expect(report.accepted == [Self.rep])
            #expect(report.rejected.map(\.address) == [refused])
            #expect(report.rejected.first?.reply?.code == 550)
            let deliveries = try server.deliveries()
            #expect(deliveries.count == 1)
            #expect(deliveries.first?.rcpt_tos == [Self.rep])
        }
    }

    @Test func nothingListeningIsATransientConnectionFailure() async throws {
        // A port bound but never listened on refuses connections for as long as it stays bound; a port
        // merely closed again could be taken by another test's listener in the meantime.
        let socket = try #require(LoopbackPort.boundNotListening())
        defer { close(socket.descriptor) }
        let port = socket.port
        let client = try SMTPClient(settings: Self.settings(port: port))
        let error = try await #require(throws: MailTransportError.self) {
            try await client.send(MailEnvelope(from: Self.from, recipients: [Self.rep]), message: Self.trickyMessage)
        }
        #expect(error.code == .connectionFailed)
        #expect(error.failure == .transient)
    }

    @Test func anUntrustedCertificateIsATransientTLSFailure() async throws {
        try await SMTPTestServer.with { server in
            let client = try SMTPClient(settings: Self.settings(port: server.port, trustTestCertificate: false))
            let error = try await #require(throws: MailTransportError.self) {
                try await client.send(
                    MailEnvelope(from: Self.from, recipients: [Self.rep]), message: Self.trickyMessage)
            }
            #expect(error.code == .tlsFailed, "\(String(reflecting: error))")
            #expect(error.failure == .transient)
            #expect(try server.deliveries().isEmpty)
        }
    }

    @Test func smtpWithoutSTARTTLSOnTheServerIsRefused() async throws {
        try await SMTPTestServer.with(["--plain"]) { server in
            let client = try SMTPClient(settings: Self.settings(port: server.port))
            let error = try await #require(throws: MailTransportError.self) {
                try await client.send(
                    MailEnvelope(from: Self.from, recipients: [Self.rep]), message: Self.trickyMessage)
            }
            #expect(error.code == .startTLSUnavailable)
            #expect(try server.deliveries().isEmpty, "nothing, not even the password, was sent in the clear")
        }
    }

    /// Messages sent one after the other (each, in order, answered before the next): all over one
    /// connection, a refused one reset with RSET while those after it still go through.
    @Test func aBatchGoesOverOneConnectionPastARefusedMessage() async throws {
        let refused = "gone@employer.test"
        try await SMTPTestServer.with(["--reject", refused]) { server in
            let client = try SMTPClient(settings: Self.settings(port: server.port))
            var messages = (1...5).map { index in
                (
                    MailEnvelope(from: Self.from, recipients: [index == 3 ? refused : "rep\(index)@union.test"]),
                    Array("Subject: \(index)\r\n\r\nmessage \(index)\r\n".utf8)
                )
            }[...]
            var results: [Result<SMTPDeliveryReport, any Error>] = []
            await client.sendEach(next: { messages.popFirst() }, sent: { results.append($0) })
            #expect(results.count == 5)
            for (index, result) in results.enumerated() {
                switch result {
                case .success: #expect(index != 2)
                case .failure(let error):
                    #expect(index == 2)
                    #expect((error as? MailTransportError)?.failure == .permanent)
                    #expect((error as? MailTransportError)?.reply?.code == 550)
                }
            }
            let deliveries = try server.deliveries()
            #expect(
                deliveries.map(\.rcpt_tos) == [
                    ["rep1@union.test"], ["rep2@union.test"], ["rep4@union.test"], ["rep5@union.test"],
                ])
            #expect(Set(deliveries.map(\.peer)).count == 1)
            #expect(deliveries.filter { !$0.tls }.isEmpty)
        }
    }

    /// A relay that closes a session it kept idle (421) after one message: the next message goes over a
    /// new connection rather than failing.
    @Test func aSessionClosedBetweenMessagesIsOpenedAgainForTheNext() async throws {
        let script: [String?] = [
            "220 scripted ESMTP\r\n", "250 scripted\r\n", "250 2.1.0 OK\r\n", "250 2.1.5 OK\r\n",
            "354 go ahead\r\n", "250 2.0.0 queued\r\n", "421 4.4.2 idle too long, closing\r\n",
        ]
        let server = try await ScriptedSMTPServer.start(replies: script)
        var settings = try SMTPSettings(url: "smtp://127.0.0.1:\(server.port)?starttls=off")
        settings.commandTimeout = .seconds(10)
        let client = try SMTPClient(settings: settings)
        var messages = [
            (MailEnvelope(from: Self.from, recipients: [Self.rep]), Array("Subject: 1\r\n\r\none\r\n".utf8)),
            (MailEnvelope(from: Self.from, recipients: [Self.rep]), Array("Subject: 2\r\n\r\ntwo\r\n".utf8)),
        ][...]
        var results: [Result<SMTPDeliveryReport, any Error>] = []
        await client.sendEach(next: { messages.popFirst() }, sent: { results.append($0) })
        try await server.stop()
        #expect(results.count == 2)
        for result in results {
            let report = try result.get()
            #expect(report.messageReply?.code == 250)
        }
    }

    @Test func starttlsOffDeliversInTheClearToALoopbackRelay() async throws {
        try await SMTPTestServer.with(["--plain"]) { server in
            let url = "smtp://charter:p%40ss%3Aw%2Frd%25@127.0.0.1:\(server.port)?starttls=off"
            var settings = try SMTPSettings(url: url)
            settings.commandTimeout = .seconds(20)
            let client = try SMTPClient(settings: settings)
            _ = try await client.send(
                MailEnvelope(from: Self.from, recipients: [Self.rep]), message: Self.trickyMessage)
            let deliveries = try server.deliveries()
            #expect(deliveries.count == 1)
            #expect(deliveries.first?.tls == false)
            #expect(deliveries.first?.bytes == Self.trickyMessage)
        }
    }

    @Test func aSilentServerIsATransientTimeout() async throws {
        let server = try await ScriptedSMTPServer.start(replies: [nil])
        var settings = Self.settings(port: server.port)
        settings.commandTimeout = .milliseconds(300)
        let client = try SMTPClient(settings: settings)
        let error = try await #require(throws: MailTransportError.self) {
            try await client.send(MailEnvelope(from: Self.from, recipients: [Self.rep]), message: Self.trickyMessage)
        }
        try await server.stop()
        #expect(error.code == .timedOut)
        #expect(error.failure == .transient)
    }

    @Test func bytesPipelinedAfterTheSTARTTLSReplyAreRefused() async throws {
        let server = try await ScriptedSMTPServer.start(replies: [
            "220 scripted ESMTP\r\n",
            "250-scripted\r\n250 STARTTLS\r\n",
            "220 2.0.0 Ready to start TLS\r\n250 2.7.0 injected in the clear\r\n",
        ])
        let client = try SMTPClient(settings: Self.settings(port: server.port))
        let error = try await #require(throws: MailTransportError.self) {
            try await client.send(MailEnvelope(from: Self.from, recipients: [Self.rep]), message: Self.trickyMessage)
        }
        try await server.stop()
        #expect(error.code == .protocolViolation)
    }

    @Test func aServerThatDoesNotKnowEHLOGetsHELO() async throws {
        // HELO advertises nothing, so a client that requires STARTTLS must stop there.
        let server = try await ScriptedSMTPServer.start(replies: [
            "220 scripted SMTP\r\n",
            "502 5.5.2 EHLO not implemented\r\n",
            "250 scripted\r\n",
        ])
        let client = try SMTPClient(settings: Self.settings(port: server.port))
        let error = try await #require(throws: MailTransportError.self) {
            try await client.send(MailEnvelope(from: Self.from, recipients: [Self.rep]), message: Self.trickyMessage)
        }
        try await server.stop()
        #expect(error.code == .startTLSUnavailable)
    }

    @Test func aOneMegabyteMessageArrivesIntact() async throws {
        var text = "From: charter@charterwatch.test\r\nTo: rep@union.test\r\nSubject: Large\r\n\r\n"
        var lineNumber = 0
        while text.utf8.count < 1_048_576 {
            lineNumber += 1
            let prefix = lineNumber % 7 == 0 ? "." : (lineNumber % 11 == 0 ? ".." : "")
            text += prefix + String(repeating: String(lineNumber % 10), count: 75) + "\r\n"
        }
        let message = Array(text.utf8)
        try await SMTPTestServer.with { server in
            let client = try SMTPClient(settings: Self.settings(port: server.port))
            _ = try await client.send(MailEnvelope(from: Self.from, recipients: [Self.rep]), message: message)
            let deliveries = try server.deliveries()
            #expect(deliveries.count == 1)
            #expect(deliveries.first?.bytes == message)
        }
    }
}

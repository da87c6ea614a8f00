import NIOCore
import Testing

@testable import MailTransport

@Suite(.timeLimit(.minutes(10))) struct SMTPReplyParserTests {
    @Test func aMultiLineReplyIsOneReply() throws {
        var parser = SMTPReplyParser()
        parser.append(ByteBuffer(string: "250-relay.example.org\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n"))
        let reply = try #require(try parser.nextReply())
        #expect(reply.code == 250)
        #expect(reply.lines == ["relay.example.org", "STARTTLS", "AUTH PLAIN LOGIN"])
        #expect(!parser.hasUnreadBytes)
        #expect(try parser.nextReply() == nil)
    }

    @Test func aReplySplitAcrossReadsWaitsForItsLastLine() throws {
        var parser = SMTPReplyParser()
        parser.append(ByteBuffer(string: "220-welcome\r\n22"))
        #expect(try parser.nextReply() == nil)
        parser.append(ByteBuffer(string: "0 ready\r\n"))
        #expect(try parser.nextReply() == SMTPReply(code: 220, lines: ["welcome", "ready"]))
    }

    @Test func bytesAfterAReplyAreNoticed() throws {
        var parser = SMTPReplyParser()
        parser.append(ByteBuffer(string: "220 go ahead\r\n250 injected\r\n"))
        #expect(try parser.nextReply()?.code == 220)
        #expect(parser.hasUnreadBytes)
    }

    @Test func aBareCodeLineIsAReply() throws {
        var parser = SMTPReplyParser()
        parser.append(ByteBuffer(string: "354\r\n"))
        #expect(try parser.nextReply() == SMTPReply(code: 354, lines: [""]))
    }

    @Test(arguments: ["HTTP/1.1 400 Bad Request\r\n", "250-one\r\n251 two\r\n", "250+x\r\n", "999 no\r\n"])
    func nonSMTPRepliesAreProtocolViolations(input: String) throws {
        var parser = SMTPReplyParser()
        parser.append(ByteBuffer(string: input))
        let error = try #require(throws: MailTransportError.self) { try parser.nextReply() }
        #expect(error.code == .protocolViolation)
    }

    @Test func replyCodesClassifyAsTheOutboxNeeds() {
        #expect(SMTPReply(code: 451, lines: []).failure == .transient)
        #expect(SMTPReply(code: 550, lines: []).failure == .permanent)
        #expect(SMTPReply(code: 250, lines: []).failure == nil)
    }
}

import Testing

@testable import MailTransport

@Suite(.timeLimit(.minutes(10))) struct SMTPDataEncodingTests {
    private func encoded(_ text: String) -> String {
        String(decoding: SMTPDataEncoding.encode(Array(text.utf8)), as: UTF8.self)
    }

    @Test func aLineOfOneDotIsStuffedSoItCannotEndTheMessage() {
        #expect(encoded("a\r\n.\r\nb\r\n") == "a\r\n..\r\nb\r\n.\r\n")
    }

    @Test func linesStartingWithDotsGetOneMoreDot() {
        #expect(encoded(".one\r\n..two\r\nmid.dle\r\n") == "..one\r\n...two\r\nmid.dle\r\n.\r\n")
    }

    @Test func theFirstLineIsALineStartToo() {
        #expect(encoded(".starts") == "..starts\r\n.\r\n")
    }

    @Test func bareLineEndsBecomeCRLF() {
        #expect(encoded("a\nb\rc\r\n.d\n") == "a\r\nb\r\nc\r\n..d\r\n.\r\n")
    }

    @Test func aMissingFinalLineEndIsAdded() {
        #expect(encoded("no newline") == "no newline\r\n.\r\n")
    }

    @Test func anEmptyMessageIsJustTheTerminator() {
        #expect(encoded("") == ".\r\n")
    }
}

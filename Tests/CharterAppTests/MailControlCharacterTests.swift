import CharterDomain
import Foundation
import TestSupport
import Testing

@testable import CharterApp

/// Control characters in stored text (a supplier, an employer name, evidence quoting what someone
/// typed) reach a recipient's mail shown escaped, in the text part, the HTML part and the subject.
@Suite("Control characters in mail", .timeLimit(.minutes(10)))
struct MailControlCharacterTests {
    @Test func controlCharactersInStoredTextAreShownEscapedInEveryPart() async throws {
        let employer = "Evil\u{1B}]2;owned\u{07} Ltd"
        let digest = Report.employerDigest(
            EmployerDigest(
                employerID: 7, employerName: employer,
                recipients: [ReportRecipient(name: "Ann", email: "ann@evil.example")],
                flags: [
                    ReportRendererTests.flag(
                        101, employer: employer, evidence: ["Tabbed:\tyes", "Rang the \u{07} bell \u{202E}reversed"],
                        subject: "Bright\u{1B}[2Jclean\u{9B}31m")
                ],
                dueReturns: [], asOf: ReportRendererTests.asOf))
        let rendered = try ReportRendererTests.renderer().render(digest, date: ReportRendererTests.date)
        let read = try #require(try await ParsedMail.parse([rendered.message]).first)
        #expect(read.defects == [])
        let text = try #require(read.text)
        let html = try #require(read.html)
        for part in [text, html] {
            #expect(part.contains("Bright\\u{1B}[2Jclean\\u{9B}31m"))
            #expect(part.contains("Rang the \\u{07} bell \\u{202E}reversed"))
            #expect(part.contains("Tabbed:\tyes"))
            #expect(!part.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" || $0 == "\u{9B}" })
        }
        #expect(read.subject?.unicodeScalars.contains("\u{1B}") == false)
    }
}

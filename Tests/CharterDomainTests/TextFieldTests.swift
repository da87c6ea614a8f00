import CharterDomain
import Foundation
import Testing

@Suite("Free text: limits, control characters, excerpts")
struct TextFieldTests {
    @Test func aFieldTakesTextUpToItsLimitAndRefusesOneMoreNamingFieldAndLimit() throws {
        let name = TextField.employerName
        try name.check(String(repeating: "a", count: 200))
        // Characters, not bytes: 200 two-byte letters are still 200 characters.
        try name.check(String(repeating: "é", count: 200))
        #expect(name.problem(with: String(repeating: "a", count: 201)) != nil)
        do {
            try name.check(String(repeating: "x", count: 100_000))
            Issue.record("a 100,000-character name was taken")
        } catch {
            #expect(error.code == .invalidText)
            #expect(error.field == "name")
            #expect(
                error.message == "name is 100,000 characters long; an employer's name may be at most 200 characters")
        }
    }

    @Test func everyTextFieldHasALimitAndTheEmailLimitIsRFC5321s() {
        #expect(TextField.email.maxLength == 254)
        #expect(TextField.flagNote.maxLength == 4_000 && TextField.flagNote.multiline)
        #expect(TextField.explanation.problem(with: String(repeating: "y", count: 4_001))?.contains("4,000") == true)
        #expect(TextField.exemptionReason.problem(with: String(repeating: "y", count: 2_001)) != nil)
        #expect(TextField.supplier.problem(with: String(repeating: "y", count: 201)) != nil)
    }

    @Test func singleLineTextRefusesControlCharactersButKeepsTabs() {
        let problem = TextField.contactName.problem(with: "Ann\u{1B}[2JSmith")
        #expect(
            problem
                == "name holds a control character (\\u{1B}) at character 4; a contact's name must be plain text on one line"
        )
        #expect(TextField.contactName.problem(with: "Ann\u{07}") != nil)
        #expect(TextField.contactName.problem(with: "Ann\nSmith")?.contains("a line break at character 4") == true)
        #expect(TextField.contactName.problem(with: "Ann\u{9B}Smith") != nil)
        #expect(TextField.contactName.problem(with: "Ann\tSmith") == nil)
        #expect(TextField.contactName.problem(with: "Zoë O'Brien-Ødegård") == nil)
    }

    @Test func multilineTextTakesLineBreaksButNotOtherControls() {
        #expect(TextField.flagNote.problem(with: "first line\r\nsecond line\nthird") == nil)
        #expect(TextField.flagNote.problem(with: "ring \u{07} the bell")?.contains("\\u{07}") == true)
    }

    @Test func controlCharactersAreShownEscapedAndPlainTextIsUntouched() {
        #expect("Ann\u{1B}[31mRed\u{07}".escapingControlCharacters == "Ann\\u{1B}[31mRed\\u{07}")
        #expect("\u{0}\u{7F}\u{85}\u{9B}".escapingControlCharacters == "\\u{00}\\u{7F}\\u{85}\\u{9B}")
        #expect("abc\u{202E}fed".escapingControlCharacters == "abc\\u{202E}fed")
        #expect(
            "tab\there\nnext line\r\nand a lone\rreturn".escapingControlCharacters
                == "tab\there\nnext line\r\nand a lone\\u{0D}return")
        let plain = "Brightclean Ltd — £12.60 “quoted” …"
        #expect(plain.escapingControlCharacters == plain)
    }

    @Test func anExcerptIsShortMarkedAndEscaped() {
        #expect("short".excerpt() == "short")
        let long = String(repeating: "n", count: 200_000_000 / 1_000)
        #expect(long.excerpt() == String(repeating: "n", count: 40) + "…")
        #expect("a\u{1B}b".excerpt() == "a\\u{1B}b")
        #expect(String(repeating: "é", count: 50).excerpt(10) == String(repeating: "é", count: 10) + "…")
    }

    @Test func anEmployerIsCheckedFieldByField() {
        var employer = Employer(name: "Knowsley Bakes")
        #expect(throws: Never.self) { try employer.checkText() }
        employer.postcode = String(repeating: "L", count: 17)
        #expect(throws: CharterDomainError.self) { try employer.checkText() }
    }
}

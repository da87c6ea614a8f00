import CharterDomain
import Foundation
import Testing

@Suite("JSON syntax errors with line and column")
struct JSONTextTests {
    func failure(_ text: String) -> JSONSyntaxError? {
        do {
            _ = try JSONText.parse(Data(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func aMissingValueIsPlacedByLineAndColumn() throws {
        let error = try #require(failure("{\"a\": 1,\n  \"b\": }"))
        #expect(error.line == 2 && error.column == 8)
        #expect(error.description.hasPrefix("line 2, column 8: this is not a JSON value"))
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let error = try #require(failure("{\"éé\": 1, \"b\": }"))
        #expect(error.line == 1 && error.column == 16)
    }

    @Test func aTruncatedDocumentIsPlacedAtItsEnd() throws {
        let error = try #require(failure("{\"name\": "))
        #expect(error.line == 1 && error.column == 10)
        #expect(error.reason.contains("ends before it is complete"))
    }

    @Test func aNumberTooLargeToReadIsOutOfRangeNamingItsField() throws {
        let error = try #require(failure("{\n  \"headcount\": 1e400\n}"))
        #expect(error.field == "headcount")
        #expect(error.line == 2 && error.column == 16)
        #expect(error.reason.contains("1e400 is out of range"))
    }

    @Test func anEmptyDocumentSaysSo() throws {
        #expect(try #require(failure("  \n")).reason.contains("empty"))
    }

    @Test func aLargeNumberThatParsesIsNotASyntaxError() throws {
        let object = try JSONText.parse(Data("{\"a\": 3000000000}".utf8)) as? [String: Any]
        #expect((object?["a"] as? NSNumber)?.int64Value == 3_000_000_000)
    }
}

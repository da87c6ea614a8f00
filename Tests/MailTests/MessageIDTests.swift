import TestRandom
import Testing

@testable import Mail

@Suite("Message-IDs")
struct MessageIDTests {
    @Test("A random id is 128 bits as 32 hex digits at the domain")
    func random() throws {
        var generator = SeededGenerator(state: 42)
        let id = try MessageID.random(domain: "charterwatch.example", using: &generator)
        #expect(id.left.count == 32)
        #expect(id.left.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(id.description == "<\(id.left)@charterwatch.example>")

        var same = SeededGenerator(state: 42)
        #expect(try MessageID.random(domain: "charterwatch.example", using: &same) == id)
        #expect(
            try MessageID.random(domain: "charterwatch.example") != MessageID.random(domain: "charterwatch.example"))
    }

    @Test("Ids that are not dot-atoms are refused", arguments: ["", "a b", "a@b", "<x>", "a..b", "siân"])
    func invalid(domain: String) {
        #expect { try MessageID(left: "abc", right: domain) } throws: {
            ($0 as? MailError)?.code == .invalidMessageID
        }
    }
}

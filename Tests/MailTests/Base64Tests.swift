import Foundation
import Testing

@testable import Mail

@Suite("Base64 attachments")
struct Base64Tests {
    @Test(
        "RFC 4648 test vectors",
        arguments: [
            ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ])
    func vectors(input: String, output: String) {
        #expect(String(decoding: Base64.encode(Array(input.utf8)), as: UTF8.self) == output)
    }

    @Test("Lines are 76 characters (57 bytes), joined by CRLF, with none after the last")
    func lineLengths() {
        let line = [UInt8](repeating: 0xFF, count: 57)
        #expect(Base64.encodeLines(line).count == 76)
        let twoLines = String(decoding: Base64.encodeLines(line + [1]), as: UTF8.self)
        #expect(twoLines.components(separatedBy: "\r\n").map(\.count) == [76, 4])
        #expect(Base64.encodeLines([]).isEmpty)

        let big = (0..<5_700).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let text = String(decoding: Base64.encodeLines(big), as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.count == 100)
        #expect(lines.allSatisfy { $0.count == 76 })
        #expect(Data(base64Encoded: lines.joined()).map { [UInt8]($0) } == big)
    }

    @Test("Every byte value survives")
    func allBytes() {
        let bytes = (0...255).map { UInt8($0) }
        let encoded = String(decoding: Base64.encode(bytes), as: UTF8.self)
        #expect(Data(base64Encoded: encoded).map { [UInt8]($0) } == bytes)
    }
}

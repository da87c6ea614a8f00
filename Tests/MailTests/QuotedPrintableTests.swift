import Testing

@testable import Mail

@Suite("Quoted-printable bodies")
struct QuotedPrintableTests {
    private func lines(_ encoded: [UInt8]) -> [String] {
        (WireFormat.crlfLines(encoded) ?? []).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The invariants of RFC 2045 §6.7 plus ours, and that decoding gives back the input.
    private func expectValid(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let encoded = QuotedPrintable.encode(text)
        #expect(WireFormat.crlfLines(encoded) != nil, "bare CR or LF", sourceLocation: sourceLocation)
        #expect(encoded.allSatisfy { $0 < 0x80 }, sourceLocation: sourceLocation)
        for line in lines(encoded) {
            #expect(line.utf8.count <= 76, "line of \(line.utf8.count)", sourceLocation: sourceLocation)
            #expect(line.last != " " && line.last != "\t", "trailing whitespace", sourceLocation: sourceLocation)
            #expect(!line.hasPrefix("."), sourceLocation: sourceLocation)
            #expect(!line.hasPrefix("From "), sourceLocation: sourceLocation)
        }
        let decoded = QuotedPrintableDecoder.decode(encoded)
        #expect(
            decoded == Array(WireFormat.crlfNormalised(text).utf8), "does not decode to the input",
            sourceLocation: sourceLocation)
    }

    @Test("Empty text encodes to nothing")
    func empty() {
        #expect(QuotedPrintable.encode("").isEmpty)
    }

    @Test("=, non-ASCII and control bytes are escaped; printable ASCII is left alone")
    func escapes() {
        #expect(lines(QuotedPrintable.encode("a=b Siân\u{7}")) == ["a=3Db Si=C3=A2n=07"])
        expectValid("1 + 1 = 2; ~!@#$%^&*()_{}|:\"<>?")
    }

    @Test("76 characters stay on one line; 77 take a soft break after 75")
    func lineLimit() {
        let exactly = String(repeating: "a", count: 76)
        #expect(lines(QuotedPrintable.encode(exactly)) == [exactly])
        let over = exactly + "b"
        #expect(lines(QuotedPrintable.encode(over)) == [String(repeating: "a", count: 75) + "=", "ab"])
    }

    @Test("An =XX escape near the edge moves whole to the next line", arguments: 70...76)
    func escapeAtTheEdge(prefix: Int) {
        let text = String(repeating: "a", count: prefix) + "é" + "tail"
        expectValid(text)
        for line in lines(QuotedPrintable.encode(text)) {
            // A soft break is a lone = at the end; an escape is never cut short.
            let body = line.hasSuffix("=") ? String(line.dropLast()) : line
            #expect(!body.hasSuffix("=") && !body.dropLast().hasSuffix("="))
        }
    }

    @Test("73 characters then an escape: the escape fits in 76 only when it ends the line")
    func escapeEndingTheLine() {
        let last = String(repeating: "a", count: 73) + "é"  // 73 + 6 = 79, and =C3 + "=" would make 77
        #expect(lines(QuotedPrintable.encode(last)) == [String(repeating: "a", count: 73) + "=", "=C3=A9"])
        let fits = String(repeating: "a", count: 73) + "="  // 73 + 3 = 76: fits as the line's end
        #expect(lines(QuotedPrintable.encode(fits)) == [String(repeating: "a", count: 73) + "=3D"])
    }

    @Test("Trailing spaces and tabs are escaped; inner ones are not")
    func trailingWhitespace() {
        #expect(lines(QuotedPrintable.encode("a b  \nc\t\n \n")) == ["a b =20", "c=09", "=20", ""])
        expectValid("trailing   \n\t\t\nend \t")
    }

    @Test("LF, CRLF and lone CR all become CRLF hard breaks")
    func lineBreaks() {
        #expect(QuotedPrintable.encode("a\nb\r\nc\rd") == Array("a\r\nb\r\nc\r\nd".utf8))
        #expect(QuotedPrintable.encode("a\n") == Array("a\r\n".utf8))
        expectValid("\n\n\r\n\r\r")
    }

    @Test("Lines starting with . or From are escaped, also after a soft break")
    func relaySafety() {
        #expect(lines(QuotedPrintable.encode(".\nFrom here\nFrom\n..x")) == ["=2E", "=46rom here", "From", "=2E.x"])
        let softDot = String(repeating: "a", count: 75) + ".b" + String(repeating: "c", count: 10)
        #expect(lines(QuotedPrintable.encode(softDot))[1].hasPrefix("=2Eb"))
        expectValid(String(repeating: "a", count: 75) + "From the team")
    }

    @Test("A single line of 5,000 characters is cut into lines of at most 76")
    func longLine() {
        let text = String(repeating: "0123456789", count: 500)
        let encoded = lines(QuotedPrintable.encode(text))
        #expect(encoded.count == 67)  // 66 full lines of 75 + "=" and the rest
        expectValid(text)
        expectValid(String(repeating: "Łódź Café 株式会社 🙂 ", count: 250))
    }
}

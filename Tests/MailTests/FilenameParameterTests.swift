import Testing

@testable import Mail

@Suite("RFC 2231 attachment file names")
struct FilenameParameterTests {
    @Test("A short ASCII name is sent as a plain quoted filename")
    func plain() {
        #expect(FilenameParameter.parameters(for: "flags-2026-Q3.csv") == ["filename=\"flags-2026-Q3.csv\""])
    }

    @Test("A Welsh name with an en dash: exact name percent-encoded, then an ASCII fallback")
    func nonASCII() {
        #expect(
            FilenameParameter.parameters(for: "Siân's flags – Q3 2026.csv") == [
                "filename*=utf-8''Si%C3%A2n%27s%20flags%20%E2%80%93%20Q3%202026.csv",
                "filename=\"Sian's flags - Q3 2026.csv\"",
            ])
    }

    @Test("Quotes and backslashes never reach the quoted fallback")
    func quotes() {
        let parameters = FilenameParameter.parameters(for: "the \"best\" \\ list.csv")
        #expect(parameters.last == "filename=\"the _best_ _ list.csv\"")
        #expect(parameters.first == "filename*=utf-8''the%20%22best%22%20%5C%20list.csv")
    }

    @Test("A long name is split into filename*N* continuations, never inside a %XX, each fitting a line")
    func continuations() {
        let name = String(repeating: "Łódź Café ", count: 12) + "株式会社テスト 🙂.csv"
        let parameters = FilenameParameter.parameters(for: name)
        let segments = parameters.dropLast()
        #expect(segments.count > 2)
        for (index, segment) in segments.enumerated() {
            #expect(segment.hasPrefix("filename*\(index)*=" + (index == 0 ? "utf-8''" : "")))
            #expect(segment.utf8.count + 2 <= 78)
        }
        // Reassemble and decode as a reader would.
        let joined = segments.map { String($0.split(separator: "=", maxSplits: 1)[1]) }.joined()
        #expect(joined.hasPrefix("utf-8''"))
        #expect(percentDecode(String(joined.dropFirst(7))) == name)
        // The fallback, last and so without a `;`, fits a line after its space and keeps the extension.
        let fallback = parameters.last!
        #expect(fallback.utf8.count + 1 == 78)
        #expect(fallback.hasSuffix(".csv\""))
        #expect(fallback.hasPrefix("filename=\"Lodz Cafe Lodz"))
    }

    private func percentDecode(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

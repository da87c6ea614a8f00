import Foundation
import Testing

@testable import Mail

@Suite("RFC 2047 encoded-words")
struct EncodedWordTests {
    /// Decodes words produced by the encoder, each on its own, as RFC 2047 §5 requires a reader can.
    private func decodeEach(_ words: [String]) -> [String?] {
        words.map { word in
            guard word.hasPrefix("=?utf-8?B?"), word.hasSuffix("?=") else { return nil }
            let payload = word.dropFirst(10).dropLast(2)
            guard let data = Data(base64Encoded: String(payload)) else { return nil }
            return String(bytes: data, encoding: .utf8)
        }
    }

    private func expectRoundTrip(
        _ text: String, firstWordLimit: Int = 75, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let words = EncodedWord.encode(text, firstWordLimit: firstWordLimit)
        let decoded = decodeEach(words)
        #expect(
            decoded.allSatisfy { $0 != nil }, "a word is not valid UTF-8 on its own", sourceLocation: sourceLocation)
        #expect(decoded.compactMap { $0 }.joined() == text, sourceLocation: sourceLocation)
        #expect(words.allSatisfy { $0.utf8.count <= 75 }, sourceLocation: sourceLocation)
        if let first = words.first {
            #expect(first.utf8.count <= max(20, firstWordLimit), sourceLocation: sourceLocation)
        }
    }

    /// A B word is 12 characters of `=?utf-8?B?` and `?=` plus whole 4-character groups, so its
    /// lengths near the limit are 72 and 76: 72 is the longest that keeps within 75.
    @Test("45 bytes fill the longest word under 75 (72 characters); a 46th byte starts a second")
    func exactlyAtTheLimit() {
        let full = String(repeating: "€", count: 15)  // 15 × 3 bytes = 45
        let words = EncodedWord.encode(full)
        #expect(words.count == 1)
        #expect(words[0].utf8.count == 72)

        let over = EncodedWord.encode(full + "a")
        #expect(over.count == 2)
        #expect(over[0].utf8.count == 72)
        #expect(decodeEach(over) == [full, "a"])
        #expect(decodeEach(EncodedWord.encode(full + "€")) == [full, "€"])
    }

    @Test("An emoji that would straddle the 45-byte budget moves whole to the next word")
    func emojiAtTheSplitPoint() {
        let text = String(repeating: "a", count: 43) + "é" + "🙂"  // 43 + 2 = 45, then 4 bytes
        #expect(decodeEach(EncodedWord.encode(text)) == [String(repeating: "a", count: 43) + "é", "🙂"])
        let shifted = String(repeating: "a", count: 42) + "🙂" + "b"  // emoji would end at byte 46
        #expect(decodeEach(EncodedWord.encode(shifted)) == [String(repeating: "a", count: 42), "🙂b"])
    }

    @Test("CJK characters split on character boundaries, 15 to a word")
    func cjkSplit() {
        let text = String(repeating: "株", count: 16)
        #expect(decodeEach(EncodedWord.encode(text)) == [String(repeating: "株", count: 15), "株"])
        expectRoundTrip("株式会社テスト" + String(repeating: "テスト", count: 20))
    }

    @Test("Grapheme clusters stay whole when they fit, and split only between scalars when they cannot")
    func clusters() {
        let family = "👩‍👩‍👧‍👦"  // 25 bytes, one Character
        let text = String(repeating: "x", count: 30) + family
        #expect(decodeEach(EncodedWord.encode(text)) == [String(repeating: "x", count: 30), family])
        // One Character of 61 bytes: e followed by 30 combining acute accents.
        let huge = "e" + String(repeating: "\u{301}", count: 30)
        expectRoundTrip(huge)
        expectRoundTrip("🇬🇧🇵🇱🇯🇵" + String(repeating: "🏴󠁧󠁢󠁷󠁬󠁳󠁿", count: 5))
    }

    @Test("The first word honours a shorter limit so it fits after the header name")
    func firstWordLimit() {
        let text = "Digest for Łódź Café Ltd — 3 new flags 🙂 and a long tail of text to fold"
        let words = EncodedWord.encode(text, firstWordLimit: 69)
        #expect(words[0].utf8.count <= 69)
        #expect(words.dropFirst().allSatisfy { $0.utf8.count <= 75 })
        expectRoundTrip(text, firstWordLimit: 69)
        expectRoundTrip(text, firstWordLimit: 5)  // never below room for one 4-byte character
    }

    @Test("Byte budget: 45 bytes for a full word, fewer for shorter limits")
    func budget() {
        #expect(EncodedWord.byteBudget(for: 75) == 45)
        #expect(EncodedWord.byteBudget(for: 69) == 42)
        #expect(EncodedWord.byteBudget(for: 20) == 6)
    }
}

import CharterAccess
import Testing

@Suite("API tokens")
struct APITokenTests {
    static let base32 = Set("abcdefghijklmnopqrstuvwxyz234567")

    @Test func aTokenIsMarkerPrefixAndSecret() throws {
        let token = APIToken.generate()
        #expect(token.text.count == 3 + 8 + 1 + 52)
        #expect(token.text.hasPrefix("cw_"))
        let parts = try #require(APIToken.parse(token.text))
        #expect(parts.prefix.count == 8 && parts.prefix.allSatisfy(Self.base32.contains))
        #expect(parts.secret.count == 52 && parts.secret.allSatisfy(Self.base32.contains))
        #expect(token.text == "cw_\(parts.prefix)_\(parts.secret)")
        #expect(token.prefix == parts.prefix)
    }

    @Test func tokensDoNotRepeatAndUseTheWholeAlphabet() {
        let tokens = (0..<2_000).map { _ in APIToken.generate() }
        #expect(Set(tokens.map(\.text)).count == tokens.count)
        #expect(Set(tokens.map(\.prefix)).count == tokens.count)
        let secretCharacters = Set(tokens.flatMap { APIToken.parse($0.text)!.secret })
        #expect(secretCharacters == Self.base32)
    }

    @Test func junkDoesNotParse() {
        let good = APIToken.generate().text
        /// `good` with the character at `offset` replaced by `character`.
        func replacing(_ offset: Int, with character: Character) -> String {
            var characters = Array(good)
            characters[offset] = character
            return String(characters)
        }
        let padding: [String] = ["Bearer \(good)", "\(good) ", " \(good)", "\(good)\n", good + "a"]
        let shapes: [String] = ["", "cw_", "cw__", String(good.dropLast()), good.uppercased()]
        let characters: [String] = [
            replacing(0, with: "C"), replacing(1, with: "x"), replacing(11, with: "-"), replacing(5, with: "1"),
            replacing(20, with: "8"), replacing(20, with: "é"), replacing(20, with: "A"),
        ]
        let lengths: [String] = [
            "cw_abcdefgh_" + String(repeating: "a", count: 51), "cw_abcdefg_" + String(repeating: "a", count: 53),
        ]
        let junk = padding + shapes + characters + lengths
        for text in junk {
            #expect(APIToken.parse(text) == nil, "\(text)")
        }
        #expect(APIToken.parse("cw_abcdefgh_" + String(repeating: "a", count: 52)) != nil)
    }

    @Test func theHashIsTheSHA256OfTheWholeToken() {
        // FIPS 180-2 test vector: SHA-256("abc").
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        #expect(hex(APIToken.hash("abc")) == abc)
        let token = APIToken.generate()
        #expect(token.hash == APIToken.hash(token.text))
        #expect(token.hash.count == 32)
    }

    @Test func verifyingChecksTheWholeTokenAgainstTheStoredHash() {
        let token = APIToken.generate()
        let stored = token.hash
        #expect(APIToken.verify(token.text, against: stored))
        #expect(!APIToken.verify(APIToken.generate().text, against: stored))
        var altered = Array(token.text)
        altered[altered.count - 1] = altered.last == "a" ? "b" : "a"
        #expect(!APIToken.verify(String(altered), against: stored))
        #expect(!APIToken.verify(token.text, against: Array(stored.dropLast())))
        #expect(!APIToken.verify(token.text, against: []))
        #expect(!APIToken.verify("junk", against: APIToken.hash("junk")))
    }

    @Test func aTokenDescribesItselfByPrefixOnly() {
        let token = APIToken.generate()
        let secret = APIToken.parse(token.text)!.secret
        #expect(String(describing: token) == "cw_\(token.prefix)_…")
        #expect(!"\(token)".contains(secret))
    }
}

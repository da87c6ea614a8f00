import CharterAccess
import Crypto
import Testing

@Suite("Sessions, cookies and CSRF tokens")
struct SessionTests {
    static let base64URL = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    @Test func aSessionTokenIsCookieSafeAndUnique() {
        let tokens = (0..<1_000).map { _ in SessionToken.generate() }
        #expect(Set(tokens.map(\.text)).count == tokens.count)
        for token in tokens.prefix(20) {
            #expect(token.text.count == 43 && token.text.allSatisfy(Self.base64URL.contains))
        }
    }

    @Test func base64URLFollowsRFC4648WithoutPaddingAndRefusesAnythingElse() {
        // RFC 4648 §10's vectors, padding dropped; then bytes that need the URL-safe letters.
        let vectors = [
            ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ]
        for (plain, encoded) in vectors {
            #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
            #expect(Base64URL.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base64URL.encode([0xfb, 0xff, 0xbf]) == "-_-_")
        #expect(Base64URL.decode("-_-_") == [0xfb, 0xff, 0xbf])
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 250) }
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
        for bad in ["Zm9v=", "Zm+v", "Zm/v", "Z", "Zm9vY", "Zm 9v", "Zé9v"] {
            #expect(Base64URL.decode(bad) == nil, "\(bad)")
        }
    }

    @Test func theDatabaseKeepsOnlyTheSHA256() {
        let token = SessionToken.generate()
        #expect(token.storageHash == Array(SHA256.hash(data: Array(token.text.utf8))))
        #expect(token.storageHash.count == 32)
        #expect(!"\(token)".contains(token.text))
    }

    @Test func aCookieValueIsReadOnlyWhenItCanBeAToken() {
        let token = SessionToken.generate()
        #expect(SessionToken(cookieValue: token.text) == token)
        let junk = [
            "", "x", String(token.text.dropLast()), token.text + "A", String(repeating: "+", count: 43),
            String(token.text.dropLast()) + ";", String(token.text.dropLast()) + "=",
        ]
        for value in junk {
            #expect(SessionToken(cookieValue: value) == nil, "\(value)")
        }
    }

    @Test func aCSRFTokenMatchesOnlyItself() throws {
        let token = CSRFToken.generate()
        #expect(token.text.count == 43 && token.text.allSatisfy(Self.base64URL.contains))
        let restored = try #require(CSRFToken(token.text))
        #expect(restored.matches(token.text))
        #expect(!restored.matches(CSRFToken.generate().text))
        #expect(!restored.matches(nil))
        #expect(!restored.matches(""))
        #expect(!restored.matches(String(token.text.dropLast())))
        #expect(!restored.matches(token.text + "A"))
        #expect(CSRFToken("not a token") == nil)
        #expect(!"\(token)".contains(token.text))
    }

    @Test func theSessionCookieIsHttpOnlySecureAndStrict() {
        let token = SessionToken.generate()
        let cookie = SessionCookie(token: token, maxAge: 28_800)
        #expect(
            cookie.headerValue
                == "__Host-charterwatch_session=\(token.text); Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=28800"
        )
        #expect(!"\(cookie)".contains(token.text))
        let named = SessionCookie(name: "sid", token: token, maxAge: 60)
        #expect(named.headerValue == "sid=\(token.text); Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=60")
    }

    @Test func signingOutClearsTheCookie() {
        #expect(
            SessionCookie.clearing().headerValue
                == "__Host-charterwatch_session=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0")
        #expect(SessionCookie.clearing(name: "sid").headerValue.hasPrefix("sid=; Path=/;"))
    }
}

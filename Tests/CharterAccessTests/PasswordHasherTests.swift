import CharterAccess
import Foundation
import Testing

@Suite("Password hashing")
struct PasswordHasherTests {
    /// Cheap enough for tests; the real count is exercised once, in `theDefaultIsSixHundredThousandIterations`.
    let fast = PasswordHasher(iterations: 1_000)

    @Test func theDefaultIsSixHundredThousandIterations() throws {
        let hasher = PasswordHasher()
        #expect(hasher.iterations == 600_000)
        let stored = try hasher.hash(password: "correct horse battery staple")
        #expect(stored.hasPrefix("pbkdf2-sha256$600000$"))
        #expect(hasher.verify(password: "correct horse battery staple", against: stored))
        #expect(!hasher.needsRehash(stored))
    }

    @Test func theStoredFormDescribesItself() throws {
        let stored = try fast.hash(password: "s3cret!")
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        #expect(parts.count == 4)
        #expect(parts[0] == "pbkdf2-sha256" && parts[1] == "1000")
        #expect(Data(base64Encoded: String(parts[2]))?.count == 16)
        #expect(Data(base64Encoded: String(parts[3]))?.count == 32)
        #expect(!stored.contains("s3cret!"))
    }

    @Test func theRightPasswordMatchesAndOthersDoNot() throws {
        let stored = try fast.hash(password: "s3cret!")
        #expect(fast.verify(password: "s3cret!", against: stored))
        for wrong in ["s3cret", "s3cret!!", "S3cret!", "", " s3cret!"] {
            #expect(!fast.verify(password: wrong, against: stored), "\(wrong)")
        }
    }

    @Test func eachHashHasItsOwnSalt() throws {
        let first = try fast.hash(password: "same"), second = try fast.hash(password: "same")
        #expect(first != second)
        #expect(fast.verify(password: "same", against: first) && fast.verify(password: "same", against: second))
    }

    /// RFC 7914 §11's PBKDF2-HMAC-SHA256 vector (P "passwd", S "salt", c 1): the first 32 of its 64 bytes,
    /// which are the whole first block and so the 32-byte key.
    @Test func aPublishedVectorVerifies() {
        let key = "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        let bytes = stride(from: 0, to: key.count, by: 2).map { offset in
            UInt8(key.dropFirst(offset).prefix(2), radix: 16)!
        }
        let stored = "pbkdf2-sha256$1$\(Data("salt".utf8).base64EncodedString())$\(Data(bytes).base64EncodedString())"
        #expect(fast.verify(password: "passwd", against: stored))
        #expect(!fast.verify(password: "Passwd", against: stored))
    }

    @Test func accentsMatchHoweverTheyAreComposed() throws {
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        #expect(Array(composed.utf8) != Array(decomposed.utf8))
        let stored = try fast.hash(password: composed)
        #expect(fast.verify(password: decomposed, against: stored))
    }

    @Test func malformedStoredValuesNeverMatch() throws {
        let stored = try fast.hash(password: "pw")
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        let malformed = [
            "", "pw", "$$$", stored + "$", "pbkdf2-sha512$1000$\(parts[2])$\(parts[3])",
            "pbkdf2-sha256$0$\(parts[2])$\(parts[3])", "pbkdf2-sha256$01000$\(parts[2])$\(parts[3])",
            "pbkdf2-sha256$-1000$\(parts[2])$\(parts[3])", "pbkdf2-sha256$+1000$\(parts[2])$\(parts[3])",
            "pbkdf2-sha256$10000001$\(parts[2])$\(parts[3])",
            "pbkdf2-sha256$99999999999999999999$\(parts[2])$\(parts[3])",
            "pbkdf2-sha256$1000$$\(parts[3])", "pbkdf2-sha256$1000$\(parts[2])$", "pbkdf2-sha256$1000$!!$\(parts[3])",
            "pbkdf2-sha256$1000$\(parts[2])$\(parts[3].dropLast(4))",
        ]
        for text in malformed {
            #expect(!fast.verify(password: "pw", against: text), "\(text)")
            #expect(fast.needsRehash(text), "\(text)")
        }
    }

    @Test func cheaperHashesAskToBeRedone() throws {
        let cheap = try fast.hash(password: "pw")
        #expect(PasswordHasher().needsRehash(cheap))
        #expect(!fast.needsRehash(cheap))
        #expect(!PasswordHasher(iterations: 500).needsRehash(cheap))
    }

    @Test func anUnknownUserNeverSignsIn() {
        #expect(!fast.verifyAgainstDecoy(password: "anything"))
        #expect(!fast.verifyAgainstDecoy(password: ""))
    }
}

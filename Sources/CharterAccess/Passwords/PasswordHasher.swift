import Crypto
import Foundation
import _CryptoExtras

/// Hashes and checks web sign-in passwords with PBKDF2-HMAC-SHA256 (SPEC §8).
///
/// A stored hash describes itself — `pbkdf2-sha256$600000$<salt>$<hash>`, salt (16 random bytes) and
/// hash (32 bytes) in standard base64 — so the iteration count can rise later: `needsRehash(_:)` tells
/// the sign-in code to store a fresh hash after a successful check with an older, cheaper one.
///
/// Passwords are taken as Unicode NFC, so the same password typed on systems that compose accents
/// differently still matches. No password is kept, logged or put in a description.
public struct PasswordHasher: Sendable, Hashable {
    /// The iteration count for new hashes: OWASP's figure for PBKDF2-HMAC-SHA256, the SPEC's minimum.
    public static let defaultIterations = 600_000
    /// Stored hashes claiming more iterations are refused as malformed rather than run for minutes.
    public static let maximumIterations = 10_000_000
    /// The algorithm name at the start of every stored hash.
    public static let algorithm = "pbkdf2-sha256"

    private static let saltByteCount = 16
    private static let hashByteCount = 32

    /// The iteration count this hasher uses for new hashes and expects of stored ones.
    public let iterations: Int

    /// A hasher with the default, production iteration count (600,000).
    public init() { self.iterations = Self.defaultIterations }

    /// A hasher with another iteration count.
    ///
    /// Counts below `defaultIterations` exist for tests, which would otherwise spend most of their time
    /// hashing; production code uses `init()`.
    /// - Precondition: `1 <= iterations <= maximumIterations`.
    public init(iterations: Int) {
        precondition((1...Self.maximumIterations).contains(iterations), "iteration count out of range")
        self.iterations = iterations
    }

    /// The stored form of `password` with a fresh random salt.
    ///
    /// - Throws: `CharterAccessError.Code.keyDerivationFailed` if the crypto library fails.
    public func hash(password: String) throws(CharterAccessError) -> String {
        let salt = RandomBytes.generate(count: Self.saltByteCount)
        let derived = try Self.derive(password, salt: salt, iterations: iterations)
        let encodedSalt = Data(salt).base64EncodedString()
        let encodedHash = Data(derived).base64EncodedString()
        return "\(Self.algorithm)$\(iterations)$\(encodedSalt)$\(encodedHash)"
    }

    /// Whether `password` is the one `stored` was made from, comparing in constant time.
    ///
    /// False for a stored value that is malformed, names another algorithm, or claims more than
    /// `maximumIterations`. The cost is the stored hash's iteration count, not this hasher's.
    public func verify(password: String, against stored: String) -> Bool {
        guard let parsed = StoredHash(stored),
            let derived = try? Self.derive(password, salt: parsed.salt, iterations: parsed.iterations)
        else { return false }
        return ConstantTime.equals(derived, parsed.hash)
    }

    /// Spends the same time as checking a password against a real hash, and answers false.
    ///
    /// For a sign-in with an unknown email, so the response time does not tell which emails have
    /// accounts.
    public func verifyAgainstDecoy(password: String) -> Bool {
        _ = try? Self.derive(password, salt: Self.decoySalt, iterations: iterations)
        return false
    }

    /// Whether `stored` should be replaced after the next successful sign-in: it was made with fewer
    /// iterations than this hasher uses, or is not a hash this hasher would make.
    public func needsRehash(_ stored: String) -> Bool {
        guard let parsed = StoredHash(stored) else { return true }
        return parsed.iterations < iterations
    }

    private static let decoySalt = [UInt8](repeating: 0x5A, count: saltByteCount)

    private static func derive(
        _ password: String, salt: [UInt8], iterations: Int
    ) throws(CharterAccessError) -> [UInt8] {
        let normalised = Array(password.precomposedStringWithCanonicalMapping.utf8)
        do {
            // The checked `rounds:` variant refuses fewer than 210,000 rounds; the counts here are
            // bounded by `init(iterations:)` and `StoredHash` instead, so tests can run cheaply and old
            // hashes stay verifiable.
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: normalised, salt: salt, using: .sha256, outputByteCount: hashByteCount,
                unsafeUncheckedRounds: iterations)
            return key.withUnsafeBytes { Array($0) }
        } catch {
            throw CharterAccessError(.keyDerivationFailed, "password key derivation failed: \(error)")
        }
    }

    /// The parts of a stored hash, or nil when it is not in the expected form.
    private struct StoredHash {
        let iterations: Int
        let salt: [UInt8]
        let hash: [UInt8]

        init?(_ text: String) {
            let parts = text.split(separator: "$", omittingEmptySubsequences: false)
            guard parts.count == 4, parts[0] == PasswordHasher.algorithm,
                let first = parts[1].utf8.first, first != UInt8(ascii: "0"),
                parts[1].utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                let iterations = Int(parts[1]), iterations <= PasswordHasher.maximumIterations,
                let salt = Data(base64Encoded: String(parts[2])), !salt.isEmpty,
                let hash = Data(base64Encoded: String(parts[3])), hash.count == PasswordHasher.hashByteCount
            else { return nil }
            self.iterations = iterations
            self.salt = Array(salt)
            self.hash = Array(hash)
        }
    }
}

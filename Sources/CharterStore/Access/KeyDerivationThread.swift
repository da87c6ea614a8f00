import Foundation

/// Runs password hashing on a thread of its own, so Swift's cooperative threads stay free.
///
/// A PBKDF2 derivation at 600,000 iterations keeps a core busy for a good fraction of a second. On
/// the cooperative pool (one thread per core) that would stall every other task of the process
/// meanwhile; the database calls are kept off it for the same reason (`PGConnection`'s thread).
/// Sign-ins and user creations are rare, so a short-lived thread per derivation costs little.
enum KeyDerivationThread {
    static func run<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
            let thread = Thread {
                continuation.resume(with: Result { try work() })
            }
            thread.name = "password-kdf"
            thread.start()
        }
    }
}

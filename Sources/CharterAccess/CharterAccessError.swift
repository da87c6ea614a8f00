/// The error type of the access module: a code for programs and a sentence for people.
///
/// `description` never contains a password, token or hash, so the error can be logged as it is.
public struct CharterAccessError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, for programs to switch on; new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A stored user or token row does not bind its role the way the schema requires (an employer
        /// principal needs an employer id, a rep principal a rep id, the others neither).
        public static let inconsistentPrincipal = Code("inconsistentPrincipal")
        /// The password key derivation failed inside the crypto library.
        public static let keyDerivationFailed = Code("keyDerivationFailed")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

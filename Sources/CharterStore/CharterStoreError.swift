/// The error type of the store: what went wrong in the charter's words, for people and programs.
///
/// `message` may name an employer or a period (the person asking sent them) but never carries
/// worker data.
public struct CharterStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The employer, return or version asked for does not exist.
        public static let notFound = Code("notFound")
        /// The request contradicts what is stored (a duplicate company number, an overlapping pledge,
        /// an Idempotency-Key reused for different content).
        public static let conflict = Code("conflict")
        /// The input is not acceptable (a bad value, a loosening override).
        public static let invalid = Code("invalid")
        /// The audit key is missing, or is not the key the audit chain is written with: a setting to
        /// fix (`CHARTERD_AUDIT_KEY`), not a request to change.
        public static let auditKey = Code("auditKey")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

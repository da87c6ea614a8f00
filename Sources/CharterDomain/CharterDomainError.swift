/// The error type of the domain core: a code for programs and a sentence for people.
public struct CharterDomainError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// No rate of the needed kind is in force on the date asked about.
        public static let noRateInForce = Code("noRateInForce")
        /// A pledge override would loosen a standard.
        public static let overrideLoosens = Code("overrideLoosens")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

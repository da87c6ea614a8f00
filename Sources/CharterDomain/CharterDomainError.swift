/// The error type of the domain core: a code for programs and a sentence for people.
public struct CharterDomainError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// No rate of the needed kind is in force on the date asked about.
        public static let noRateInForce = Code("noRateInForce")
        /// The action is not allowed on a flag in its state, by that actor, or without a note.
        public static let flagTransitionRefused = Code("flagTransitionRefused")
        /// A pledge override would loosen a standard.
        public static let overrideLoosens = Code("overrideLoosens")
        /// A pledge override names a standard or parameter the charter version does not have, cannot
        /// be overridden, or has a value of the wrong kind or outside its sensible range.
        public static let invalidOverride = Code("invalidOverride")
        /// A charter version's standard data (e.g. its parameters JSON) cannot be read.
        public static let invalidStandard = Code("invalidStandard")
        /// A pledge's own values do not fit together (e.g. it ends before it starts).
        public static let invalidPledge = Code("invalidPledge")
        /// Free text too long for its field, or holding control characters (`TextField`).
        public static let invalidText = Code("invalidText")
        /// A number or date outside the range its field allows.
        public static let outOfRange = Code("outOfRange")
        /// Kept figures that cannot be read back (`ReturnFigures(packed:)`).
        public static let unreadableFigures = Code("unreadableFigures")
        /// A kept header that cannot be read back (`ReturnHeader(packed:)`).
        public static let unreadableHeader = Code("unreadableHeader")
    }

    public var code: Code
    public var message: String
    /// The request field the error is about (`name`, `action_plan`), when it is about one.
    public var field: String?

    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String { message }
}

/// The error type of the mail module: a code for programs and a sentence for people.
///
/// The sentence names the field that is wrong and why, never the value itself: addresses, names and
/// subjects are personal data and must not end up in logs through an error message.
/// `debugDescription` adds the code for diagnostics.
public struct MailError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of thing is wrong; extensible without breaking callers that switch on known codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A header value (subject, display name, extra header, file name) holds a CR or LF, which
        /// would let it start a header or body of its own.
        public static let headerInjection = Code("headerInjection")
        /// A header value holds a control character (other than tab) that has no place in a header.
        public static let invalidHeaderValue = Code("invalidHeaderValue")
        /// An extra header's name is empty, too long or holds characters a field name cannot have.
        public static let invalidHeaderName = Code("invalidHeaderName")
        /// An extra header would repeat one the renderer writes itself (From, Subject, Content-Type, …).
        public static let reservedHeaderName = Code("reservedHeaderName")
        /// An email address is not an ASCII `local@domain` addr-spec we can put on the wire.
        public static let invalidAddress = Code("invalidAddress")
        /// A message has no recipient.
        public static let noRecipients = Code("noRecipients")
        /// A Message-ID is not `<id-left@id-right>` of dot-atoms.
        public static let invalidMessageID = Code("invalidMessageID")
        /// An attachment's content type is not `type/subtype` with optional parameters in ASCII.
        public static let invalidContentType = Code("invalidContentType")
        /// An attachment's file name is empty, too long, or holds a path separator or control character.
        public static let invalidFilename = Code("invalidFilename")
        /// A MIME boundary from the boundary generator is not usable: bad characters or length, equal to
        /// or a prefix of the other boundary, or found at the start of a line of the content.
        public static let invalidBoundary = Code("invalidBoundary")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
    public var debugDescription: String { "MailError(\(code)): \(message)" }
}

/// Why a `multipart/form-data` body was rejected: a code for programs and a sentence for people.
///
/// The sentence says what is wrong with the body (`the body ended before the closing boundary`) and never
/// quotes the body itself, so it can go into a problem response or a log without leaking uploaded data.
public struct MultipartError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of mistake the body has; new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The body ended (``MultipartParser/finish()``) before the closing `--boundary--` was seen.
        public static let missingClosingBoundary = Code("missingClosingBoundary")
        /// A part's header block is longer than the parser's `maxHeaderBytes`.
        public static let headersTooLong = Code("headersTooLong")
        /// A part has no `Content-Disposition: form-data` header with a `name` parameter.
        public static let missingName = Code("missingName")
        /// A part's header line cannot be read (no colon, an unterminated quoted string).
        public static let malformedHeader = Code("malformedHeader")
        /// A line starting with the delimiter goes on with something other than `--`, padding or a line break.
        public static let malformedBoundaryLine = Code("malformedBoundaryLine")
    }

    public var code: Code
    /// One sentence for people, e.g. `a part has no Content-Disposition form-data name`.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

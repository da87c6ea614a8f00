/// Why a report could not be rendered: a code for programs and a sentence for people.
///
/// The sentence names the template, file or field at fault, never a recipient's address or a report's
/// content: those are personal data and must not reach the log through an error.
public struct ReportRenderingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong; extensible without breaking callers that switch on the known codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The override directory or one of its files cannot be read.
        public static let templateDirectory = Code("templateDirectory")
        /// A template does not parse, or one a report needs is missing.
        public static let templateSyntax = Code("templateSyntax")
        /// The message cannot be built: a bad sender or recipient address, no recipients, or a
        /// header the mail module refuses.
        public static let invalidMessage = Code("invalidMessage")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

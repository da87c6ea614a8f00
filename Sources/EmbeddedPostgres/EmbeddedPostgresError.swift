/// Why the private PostgreSQL cluster could not be prepared, started or stopped.
public struct EmbeddedPostgresError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// initdb, pg_ctl or postgres are not installed.
        public static let binariesMissing = Code("binariesMissing")
        /// Running as root and no unprivileged account to run the server as.
        public static let noServerAccount = Code("noServerAccount")
        /// A command (initdb, pg_ctl) failed; the message carries its output.
        public static let commandFailed = Code("commandFailed")
        /// The state directory cannot be used (permissions, socket path too long).
        public static let stateDirectory = Code("stateDirectory")
    }

    public var code: Code
    /// One sentence saying what is wrong and what to do.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

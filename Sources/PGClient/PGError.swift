/// The one error type of the PostgreSQL client.
///
/// `description` names the kind of failure, the SQLSTATE and schema identifiers (constraint, table,
/// column) only: it never contains bound values or row data, so it is safe to log. The server's
/// message, detail and hint may quote values (`Key (email)=(…) already exists`), so they are kept
/// for `debugDescription` and for callers that choose to show them to the person who sent the data.
public struct PGError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is. Extensible: new codes may be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The connection could not be opened (server down, bad credentials, bad conninfo).
        public static let connectionFailed = Code("connectionFailed")
        /// The connection broke while in use.
        public static let connectionClosed = Code("connectionClosed")
        /// The server reported an error; see `sqlState`.
        public static let server = Code("server")
        /// The statement ran past its per-statement timeout and was cancelled.
        public static let statementTimeout = Code("statementTimeout")
        /// No connection became free within the pool's acquire timeout.
        public static let poolTimeout = Code("poolTimeout")
        /// The pool has shut down.
        public static let poolClosed = Code("poolClosed")
        /// A column could not be decoded as the requested Swift type.
        public static let decoding = Code("decoding")
        /// The client and server disagreed about the protocol (unexpected result status).
        public static let unexpectedResponse = Code("unexpectedResponse")
        /// A migration could not be applied, or an applied one was changed.
        public static let migration = Code("migration")
        /// A bound value cannot be sent: text holding a NUL character, which libpq's C strings would
        /// cut short and PostgreSQL's text cannot hold.
        public static let invalidBind = Code("invalidBind")
    }

    public var code: Code
    /// The SQLSTATE the server sent, for `.server` errors.
    public var sqlState: SQLState?
    /// The server's primary message, or the client's own explanation. May quote data.
    public var message: String
    public var detail: String?
    public var hint: String?
    public var constraint: String?
    public var schema: String?
    public var table: String?
    public var column: String?
    /// 1-based character position in the statement text, when the server gave one.
    public var position: Int?

    public init(
        _ code: Code, sqlState: SQLState? = nil, message: String, detail: String? = nil, hint: String? = nil,
        constraint: String? = nil, schema: String? = nil, table: String? = nil, column: String? = nil,
        position: Int? = nil
    ) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.schema = schema
        self.table = table
        self.column = column
        self.position = position
    }

    public var description: String {
        var parts = ["PGError(\(code)"]
        if let sqlState { parts.append("sqlState: \(sqlState)") }
        if let constraint { parts.append("constraint: \(constraint)") }
        if let table { parts.append("table: \(table)") }
        if let column { parts.append("column: \(column)") }
        if code != .server { parts.append("reason: \(message)") }
        return parts.joined(separator: ", ") + ")"
    }

    public var debugDescription: String {
        var text = description + " message: \(message)"
        if let detail { text += " detail: \(detail)" }
        if let hint { text += " hint: \(hint)" }
        if let position { text += " position: \(position)" }
        return text
    }

    /// True when the database could not be reached or is going away — connection refused or lost, the
    /// pool waiting in vain for a connection, the server shutting down, starting up or out of connection
    /// slots — rather than a statement that failed. Such a failure is the service's, not the caller's,
    /// and passes by itself: an HTTP server answers it with 503 and Retry-After, not 500.
    public var isDatabaseUnavailable: Bool {
        switch code {
        case .connectionFailed, .connectionClosed, .poolTimeout: return true
        case .server:
            guard let sqlState else { return false }
            // Class 08: connection exception. 57P01-57P03: admin or crash shutdown, cannot connect now.
            // 53300: too many connections.
            return sqlState.rawValue.hasPrefix("08") || sqlState == .adminShutdown || sqlState == .crashShutdown
                || sqlState == .cannotConnectNow || sqlState == .tooManyConnections
        default: return false
        }
    }

    /// True for failures worth retrying the whole transaction for (serialization failure, deadlock).
    public var isTransactionRetryable: Bool {
        sqlState == .serializationFailure || sqlState == .deadlockDetected
    }
}

/// A five-character SQLSTATE code, with the ones this codebase acts on as named constants.
public struct SQLState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let uniqueViolation = SQLState(rawValue: "23505")
    public static let foreignKeyViolation = SQLState(rawValue: "23503")
    public static let notNullViolation = SQLState(rawValue: "23502")
    public static let checkViolation = SQLState(rawValue: "23514")
    public static let exclusionViolation = SQLState(rawValue: "23P01")
    public static let serializationFailure = SQLState(rawValue: "40001")
    public static let deadlockDetected = SQLState(rawValue: "40P01")
    public static let syntaxError = SQLState(rawValue: "42601")
    public static let undefinedTable = SQLState(rawValue: "42P01")
    public static let undefinedColumn = SQLState(rawValue: "42703")
    /// Among others, "cached plan must not change result type" for a prepared statement.
    public static let featureNotSupported = SQLState(rawValue: "0A000")
    public static let queryCanceled = SQLState(rawValue: "57014")
    public static let adminShutdown = SQLState(rawValue: "57P01")
    public static let crashShutdown = SQLState(rawValue: "57P02")
    public static let cannotConnectNow = SQLState(rawValue: "57P03")
    public static let tooManyConnections = SQLState(rawValue: "53300")
    public static let invalidTextRepresentation = SQLState(rawValue: "22P02")
    public static let raiseException = SQLState(rawValue: "P0001")
    public static let insufficientPrivilege = SQLState(rawValue: "42501")
    public static let duplicateDatabase = SQLState(rawValue: "42P04")
}

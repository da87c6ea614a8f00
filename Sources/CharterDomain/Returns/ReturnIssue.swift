/// Something wrong (an error: the return is rejected) or odd (a warning: accepted, flagged as a
/// data-quality note) in a submitted return, with where it is.
public struct ReturnIssue: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Codable {
        case error, warning
    }

    public var severity: Severity
    /// Physical line of the CSV (the header is line 1), or the line's position in a JSON return.
    public var line: Int?
    /// The column or header field the issue is about.
    public var column: String?
    /// A sentence a payroll clerk understands.
    public var message: String

    public init(_ severity: Severity, line: Int? = nil, column: String? = nil, _ message: String) {
        self.severity = severity
        self.line = line
        self.column = column
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case severity, line, column, message
    }

    public var description: String {
        var place: [String] = []
        if let line { place.append("line \(line)") }
        if let column { place.append("column \(column)") }
        return (place.isEmpty ? "" : place.joined(separator: ", ") + ": ") + message
    }
}

/// Errors and warnings of one submission. Errors are capped (the total is still counted) so a
/// file that is wrong on every line still gets a readable answer.
public struct ValidationReport: Sendable, Hashable, Codable {
    public static let errorCap = 1_000

    public private(set) var errors: [ReturnIssue] = []
    public private(set) var totalErrors = 0
    public private(set) var warnings: [ReturnIssue] = []

    public init() {}

    public var isAccepted: Bool { totalErrors == 0 }
    /// Errors found but not listed because of the cap.
    public var unlistedErrors: Int { totalErrors - errors.count }

    public mutating func error(line: Int? = nil, column: String? = nil, _ message: String) {
        totalErrors += 1
        if errors.count < Self.errorCap { errors.append(ReturnIssue(.error, line: line, column: column, message)) }
    }

    public mutating func warning(line: Int? = nil, column: String? = nil, _ message: String) {
        warnings.append(ReturnIssue(.warning, line: line, column: column, message))
    }

    /// Adds another report's errors (the cap still applies, the total stays exact) and warnings.
    public mutating func merge(_ other: ValidationReport) {
        for issue in other.errors { error(line: issue.line, column: issue.column, issue.message) }
        totalErrors += other.unlistedErrors
        warnings += other.warnings
    }
}

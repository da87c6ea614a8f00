/// Where a JSON document stops being JSON, and why, in words a developer can act on: the parser's
/// reason with the line and column (1-based) it points at, and the field when a number is too large.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based line of the problem, when the parser said where it is.
    public var line: Int?
    /// 1-based column (in characters) of the problem, when the parser said where it is.
    public var column: Int?
    /// The object key the bad value belongs to, when it could be found (a number too large to read).
    public var field: String?
    /// What is wrong, without the place: "a value is expected here (found `}`)".
    public var reason: String

    public init(line: Int? = nil, column: Int? = nil, field: String? = nil, reason: String) {
        self.line = line
        self.column = column
        self.field = field
        self.reason = reason
    }

    /// "line 3, column 9: …", or the reason alone when the place is unknown.
    public var description: String {
        var place: [String] = []
        if let line { place.append("line \(line)") }
        if let column { place.append("column \(column)") }
        if let field { place.append("field \(field)") }
        return (place.isEmpty ? "" : place.joined(separator: ", ") + ": ") + reason
    }
}

import Foundation

/// A SQL statement and its bound parameters.
///
/// Built by string interpolation, every interpolated value becomes a `$n` parameter, so a value
/// can never change the statement's meaning:
///
/// ```swift
/// let rows = try await connection.query("SELECT id FROM employers WHERE name = \(name)")
/// ```
public struct PGQuery: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var sql: String
    public private(set) var binds: [PGBind]
    /// Whether the connection keeps this statement prepared (parsed and planned once per connection,
    /// then run by name). See `prepared()`.
    public private(set) var isPrepared = false
    /// Whether the server sends the rows in binary rather than as text. See `binaryResults()`.
    public private(set) var wantsBinaryResults = false

    public init(stringLiteral value: String) {
        self.sql = value
        self.binds = []
    }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.binds = stringInterpolation.binds
    }

    /// SQL text that is not a literal (a migration file, a statement assembled from fixed pieces).
    /// It must carry values only as `$n` placeholders with `binds`.
    public init(unsafeSQL sql: String, binds: [PGBind] = []) {
        self.sql = sql
        self.binds = binds
    }

    /// The same statement, kept prepared by each connection that runs it.
    ///
    /// For small statements run thousands of times (a token lookup, a page of flags), planning costs
    /// the server more than running them; a prepared statement is planned once, then its plan is
    /// reused. Leave it off for statements whose best plan depends on their values (large arrays,
    /// batch queries) and for statements built with varying text, which would each take a slot.
    public func prepared() -> PGQuery {
        var copy = self
        copy.isPrepared = true
        return copy
    }

    /// The same statement, sent with its text each time (after its prepared form went stale).
    func unprepared() -> PGQuery {
        var copy = self
        copy.isPrepared = false
        return copy
    }

    /// The same statement, its rows sent in PostgreSQL's binary format instead of as text.
    ///
    /// The server then skips writing each value as text and the client skips reading it back: for
    /// integers and above all timestamps, a real share of a hot query's cost on both sides. Only
    /// integers, booleans, text, timestamps (`date`, `timestamp`, `timestamptz`) and bytea can be read
    /// from binary rows; any other column fails to decode, saying so.
    public func binaryResults() -> PGQuery {
        var copy = self
        copy.wantsBinaryResults = true
        return copy
    }

    /// The SQL text only: bound values are never printed.
    public var description: String { sql }

    /// Appends another query, renumbering its parameters.
    public mutating func append(_ other: PGQuery) {
        var interpolation = StringInterpolation(literalCapacity: other.sql.count, interpolationCount: 0)
        interpolation.sql = sql
        interpolation.binds = binds
        interpolation.appendInterpolation(other)
        let (isPrepared, wantsBinaryResults) = (isPrepared, wantsBinaryResults)
        self = PGQuery(stringInterpolation: interpolation)
        self.isPrepared = isPrepared
        self.wantsBinaryResults = wantsBinaryResults
    }

    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        var sql: String
        var binds: [PGBind]

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql = ""
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds = []
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) { sql += literal }

        /// A value, sent as the next `$n` parameter.
        public mutating func appendInterpolation<Value: PGEncodable>(_ value: Value) {
            binds.append(value.pgBind)
            sql += "$\(binds.count)"
        }

        /// An optional value: `nil` is sent as SQL NULL. (Spelled out so the compiler knows an
        /// optional here is meant, not a debug description.)
        public mutating func appendInterpolation<Value: PGEncodable>(_ value: Value?) {
            binds.append(value.pgBind)
            sql += "$\(binds.count)"
        }

        /// An integer written into the SQL text rather than bound, for the few places the planner must
        /// see the number to plan well: `LIMIT \(literal: n)`. A bound LIMIT is planned as "10 % of the
        /// rows", which makes PostgreSQL re-plan a prepared statement on every run instead of
        /// reusing its plan. Only integers: nothing else is ever written into the text.
        public mutating func appendInterpolation(literal integer: some BinaryInteger) {
            sql += String(integer)
        }

        /// An identifier (table, column, channel), double-quoted so it is never read as SQL.
        public mutating func appendInterpolation(identifier: String) {
            sql += "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }

        /// A nested query fragment; its parameters are renumbered to follow ours.
        public mutating func appendInterpolation(_ fragment: PGQuery) {
            let offset = binds.count
            binds += fragment.binds
            guard offset > 0, !fragment.binds.isEmpty else {
                sql += fragment.sql
                return
            }
            sql += Self.renumber(fragment.sql, by: offset)
        }

        /// Shifts every `$n` outside string literals and quoted identifiers by `offset`.
        private static func renumber(_ text: String, by offset: Int) -> String {
            var out = ""
            var iterator = Array(text.unicodeScalars).makeIterator()
            var pending: Unicode.Scalar? = iterator.next()
            var quote: Unicode.Scalar?
            while let ch = pending {
                pending = iterator.next()
                if let open = quote {
                    out.unicodeScalars.append(ch)
                    if ch == open { quote = nil }
                    continue
                }
                if ch == "'" || ch == "\"" {
                    quote = ch
                    out.unicodeScalars.append(ch)
                    continue
                }
                guard ch == "$", let next = pending, ("0"..."9").contains(next) else {
                    out.unicodeScalars.append(ch)
                    continue
                }
                var digits = ""
                while let d = pending, ("0"..."9").contains(d) {
                    digits.unicodeScalars.append(d)
                    pending = iterator.next()
                }
                out += "$\(Int(digits)! + offset)"
            }
            return out
        }
    }
}

extension String {
    /// Quotes a string as a SQL identifier.
    public var pgQuotedIdentifier: String { "\"" + replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}

public import Foundation

/// Why a column's text could not become the requested value; the row adds the column's name.
public struct PGDecodingFailure: Error, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// A Swift value that can be read from a PostgreSQL column in text format.
public protocol PGDecodable {
    /// Whether a column of this PostgreSQL type may be decoded as `Self`.
    static func accepts(_ type: PGType) -> Bool
    /// Decodes the column's text (never called for NULL).
    static func decode(pgText text: String, type: PGType) throws(PGDecodingFailure) -> Self
    /// Decodes the column's text from its UTF-8 bytes, valid only during the call (never called for
    /// NULL). The default makes a `String` and calls `decode(pgText:type:)`; numbers and instants
    /// read the bytes directly.
    static func decode(pgBytes bytes: UnsafeBufferPointer<UInt8>, type: PGType) throws(PGDecodingFailure) -> Self
    /// Decodes the column's value in PostgreSQL's binary format (`PGQuery.binaryResults()`), valid only
    /// during the call (never called for NULL). The default refuses: only integers, booleans, text,
    /// timestamps and bytea are read from binary.
    static func decode(pgBinary bytes: UnsafeBufferPointer<UInt8>, type: PGType) throws(PGDecodingFailure) -> Self
    /// The value for SQL NULL: `Optional` gives `nil`; everything else refuses.
    static func decodeNull() throws(PGDecodingFailure) -> Self
}

extension PGDecodable {
    public static func decode(pgBytes bytes: UnsafeBufferPointer<UInt8>, type: PGType) throws(PGDecodingFailure)
        -> Self
    {
        try decode(pgText: String(decoding: bytes, as: UTF8.self), type: type)
    }

    public static func decode(pgBinary bytes: UnsafeBufferPointer<UInt8>, type: PGType) throws(PGDecodingFailure)
        -> Self
    {
        throw PGDecodingFailure(
            "came in binary, which this client reads only for integers, booleans, text, timestamps and bytea; "
                + "run the query without binaryResults()")
    }

    public static func decodeNull() throws(PGDecodingFailure) -> Self {
        throw PGDecodingFailure("is NULL; decode it as an Optional")
    }
}

/// A binary integer column (`int2`, `int4`, `int8` or `oid`, big-endian) as `T`, refusing one that does
/// not fit.
private func decodeBinaryInteger<T: FixedWidthInteger>(_ bytes: UnsafeBufferPointer<UInt8>, type: PGType, as: T.Type)
    throws(PGDecodingFailure) -> T
{
    let value: Int64
    switch (type, bytes.count) {
    case (.int2, 2): value = Int64(Int16(bigEndian: bytes.loadUnaligned(as: Int16.self)))
    case (.int4, 4): value = Int64(Int32(bigEndian: bytes.loadUnaligned(as: Int32.self)))
    case (.oid, 4): value = Int64(UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self)))
    case (.int8, 8): value = Int64(bigEndian: bytes.loadUnaligned(as: Int64.self))
    default: throw PGDecodingFailure("holds \(bytes.count) binary bytes, not a \(type)")
    }
    guard let fitting = T(exactly: value) else { throw PGDecodingFailure("does not fit in \(T.self)") }
    return fitting
}

extension UnsafeBufferPointer<UInt8> {
    fileprivate func loadUnaligned<T: FixedWidthInteger>(as type: T.Type) -> T {
        UnsafeRawBufferPointer(self).loadUnaligned(as: T.self)
    }
}

extension Optional: PGDecodable where Wrapped: PGDecodable {
    public static func accepts(_ type: PGType) -> Bool { Wrapped.accepts(type) }
    public static func decode(pgText text: String, type: PGType) throws(PGDecodingFailure) -> Self {
        try Wrapped.decode(pgText: text, type: type)
    }
    public static func decode(pgBytes bytes: UnsafeBufferPointer<UInt8>, type: PGType) throws(PGDecodingFailure)
        -> Self
    {
        try Wrapped.decode(pgBytes: bytes, type: type)
    }
    public static func decode(pgBinary bytes: UnsafeBufferPointer<UInt8>, type: PGType) throws(PGDecodingFailure)
        -> Self
    {
        try Wrapped.decode(pgBinary: bytes, type: type)
    }
    public static func decodeNull() throws(PGDecodingFailure) -> Self { nil }
}

extension Bool {
    public static func accepts(_ type: PGType) -> Bool { type == .bool }
    public static func decode(pgText text: String, type: PGType) throws(PGDecodingFailure) -> Bool {
        switch text {
        case "t", "true": return true
        case "f", "false": return false
        default: throw PGDecodingFailure("is not a boolean")
        }
    }
    public static func decode(pgBytes bytes: UnsafeBufferPointer<UInt8>, type: PGType) throws(PGDecodingFailure)
        -> Bool
    {
        // The server writes `t` or `f`; the long forms go the way of text.
        if bytes.count == 1, bytes[0] == UInt8(ascii: "t") { return true }
        if bytes.count == 1, bytes[0] == UInt8(ascii: "f") { return false }
        return try decode(pgText: String(decoding: bytes, as: UTF8.self), type: type)
    }
    public static func decode(pgBinary bytes: UnsafeBufferPointer<UInt8>, type: PGType) throws(PGDecodingFailure)
        -> Bool
    {
        guard bytes.count == 1 else { throw PGDecodingFailure("holds \(bytes.count) binary bytes, not a boolean") }
        return bytes[0] != 0
    }
}

extension String {
    public static func accepts(_ type: PGType) -> Bool { type.isTextLike }
    public static func decode(pgText text: String, type: PGType) throws(PGDecodingFailure) -> String { text }
    public static func decode(pgBytes bytes: UnsafeBufferPointer<UInt8>, type: PGType) throws(PGDecodingFailure)
        -> String
    {
        String(decoding: bytes, as: UTF8.self)
    }
    /// The built-in text types send their UTF-8 as it is in binary too; a user-defined type's binary
    /// form is its own, so it is refused.
    public static func decode(pgBinary bytes: UnsafeBufferPointer<UInt8>, type: PGType) throws(PGDecodingFailure)
        -> String
    {
        switch type {
        case .text, .varchar, .bpchar, .name, .char, .unknown: break
        default:
            throw PGDecodingFailure(
                "came in binary as type \(type), whose binary form this client does not read; "
                    + "run the query without binaryResults()")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Shared integer decoding: accepts the integer types no wider than `T`.
private func decodeInteger<T: FixedWidthInteger>(_ text: String, as: T.Type) throws(PGDecodingFailure) -> T {
    guard let value = T(text) else { throw PGDecodingFailure("does not fit in \(T.self)") }
    return value
}

/// The same from the server's bytes (`-`? digits), without making a `String`.
private func decodeInteger<T: FixedWidthInteger & SignedInteger>(
    _ bytes: UnsafeBufferPointer<UInt8>, as: T.Type
) throws(PGDecodingFailure) -> T {
    let negative = bytes.first == UInt8(ascii: "-")
    let digits = negative ? bytes.dropFirst() : bytes[...]
    guard !digits.isEmpty else { throw PGDecodingFailure("is not an integer") }
    var value: T = 0
    for byte in digits {
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
            throw PGDecodingFailure("is not an integer")
        }
        // Accumulated negatively, so the most negative value fits too.
        let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
        let (next, overflowB) = shifted.subtractingReportingOverflow(T(byte - UInt8(ascii: "0")))
        guard !overflowA, !overflowB else { throw PGDecodingFailure("does not fit in \(T.self)") }
        value = next
    }
    if negative { return value }
    guard value != T.min else { throw PGDecodingFailure("does not fit in \(T.self)") }
    return -value
}

extension Int16 {
    public static func accepts(_ type: PGType) -> Bool { type == .int2 }
}

extension Int32 {
    public static func accepts(_ type: PGType) -> Bool { type == .int2 || type == .int4 || type == .oid }
}

extension Int64 {
    public static func accepts(_ type: PGType) -> Bool {
        type == .int2 || type == .int4 || type == .int8 || type == .oid
    }
}

extension Int {
    public static func accepts(_ type: PGType) -> Bool { Int64.accepts(type) }
}

/// Int16, Int32, Int64 and Int read the same way, from text, its bytes or binary; each says which column
/// types it accepts.
extension PGDecodable where Self: FixedWidthInteger & SignedInteger {
    public static func decode(pgText text: String, type: PGType) throws(PGDecodingFailure) -> Self {
        try decodeInteger(text, as: Self.self)
    }
    public static func decode(pgBytes bytes: UnsafeBufferPointer<UInt8>, type: PGType) throws(PGDecodingFailure)
        -> Self
    {
        try decodeInteger(bytes, as: Self.self)
    }
    public static func decode(pgBinary bytes: UnsafeBufferPointer<UInt8>, type: PGType) throws(PGDecodingFailure)
        -> Self
    {
        try decodeBinaryInteger(bytes, type: type, as: Self.self)
    }
}

extension Double {
    public static func accepts(_ type: PGType) -> Bool {
        type == .float8 || type == .float4 || type == .int2 || type == .int4 || type == .int8
    }
    public static func decode(pgText text: String, type: PGType) throws(PGDecodingFailure) -> Double {
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default:
            guard let value = Double(text) else { throw PGDecodingFailure("is not a number") }
            return value
        }
    }
}

extension Decimal {
    public static func accepts(_ type: PGType) -> Bool {
        type == .numeric || type == .int2 || type == .int4 || type == .int8
    }
    public static func decode(pgText text: String, type: PGType) throws(PGDecodingFailure) -> Decimal {
        guard text != "NaN", !text.hasSuffix("Infinity") else {
            throw PGDecodingFailure("is \(text), which Decimal cannot hold")
        }
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
            throw PGDecodingFailure("is not a decimal number")
        }
        return value
    }
}

extension UUID {
    public static func accepts(_ type: PGType) -> Bool { type == .uuid }
    public static func decode(pgText text: String, type: PGType) throws(PGDecodingFailure) -> UUID {
        guard let value = UUID(uuidString: text) else { throw PGDecodingFailure("is not a UUID") }
        return value
    }
}

extension Date {
    /// `date` decodes to midnight UTC of that day; `timestamp` is read as UTC.
    public static func accepts(_ type: PGType) -> Bool {
        type == .timestamptz || type == .date || type == .timestamp
    }
    public static func decode(pgText text: String, type: PGType) throws(PGDecodingFailure) -> Date {
        guard let value = PGDateText.parse(text) else {
            throw PGDecodingFailure("is not a date or timestamp this client can read")
        }
        return value
    }
    public static func decode(pgBytes bytes: UnsafeBufferPointer<UInt8>, type: PGType) throws(PGDecodingFailure)
        -> Date
    {
        guard let value = PGDateText.parse(bytes) else {
            throw PGDecodingFailure("is not a date or timestamp this client can read")
        }
        return value
    }
    /// Binary timestamps count microseconds, and dates days, from 2000-01-01 UTC; the infinities
    /// (the extreme values) are refused, as they are in text.
    public static func decode(pgBinary bytes: UnsafeBufferPointer<UInt8>, type: PGType) throws(PGDecodingFailure)
        -> Date
    {
        let postgresEpoch: Int64 = 946_684_800
        switch (type, bytes.count) {
        case (.timestamptz, 8), (.timestamp, 8):
            let microseconds = Int64(bigEndian: bytes.loadUnaligned(as: Int64.self))
            guard microseconds != .max, microseconds != .min else {
                throw PGDecodingFailure("is infinity, which Date cannot hold")
            }
            // Whole seconds rounded down and the fraction after them, as the text parser reads them,
            // so both forms give the same Date.
            var (seconds, remainder) = microseconds.quotientAndRemainder(dividingBy: 1_000_000)
            if remainder < 0 {
                seconds -= 1
                remainder += 1_000_000
            }
            return PGDateText.instant(
                seconds: postgresEpoch + seconds, fraction: PGDateText.fraction(remainder, digits: 6))
        case (.date, 4):
            let days = Int32(bigEndian: bytes.loadUnaligned(as: Int32.self))
            guard days != .max, days != .min else { throw PGDecodingFailure("is infinity, which Date cannot hold") }
            return PGDateText.instant(seconds: postgresEpoch + Int64(days) * 86_400, fraction: 0)
        default: throw PGDecodingFailure("holds \(bytes.count) binary bytes, not a \(type)")
        }
    }
}

extension PGBytes {
    public static func accepts(_ type: PGType) -> Bool { type == .bytea }
    public static func decode(pgText text: String, type: PGType) throws(PGDecodingFailure) -> PGBytes {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0
        else { throw PGDecodingFailure("is not bytea in hex format") }
        var bytes = [UInt8]()
        bytes.reserveCapacity((utf8.count - 2) / 2)
        var index = 2
        while index < utf8.count {
            guard let high = hexValue(utf8[index]), let low = hexValue(utf8[index + 1]) else {
                throw PGDecodingFailure("is not bytea in hex format")
            }
            bytes.append(high << 4 | low)
            index += 2
        }
        return PGBytes(bytes)
    }
    /// In binary, bytea is its bytes as they are: nothing to unhex.
    public static func decode(pgBinary bytes: UnsafeBufferPointer<UInt8>, type: PGType) throws(PGDecodingFailure)
        -> PGBytes
    {
        PGBytes(bytes)
    }
}

private func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
    default: return nil
    }
}

extension Array: PGDecodable where Element: PGArrayElement {
    public static func accepts(_ type: PGType) -> Bool {
        guard let element = type.arrayElement else { return false }
        return Element.accepts(element)
    }
    /// An `int2[]`/`int4[]` read as `[Int32]`, or an integer array as `[Int64]`/`[Int]`, is parsed straight
    /// from its bytes: no `String` per element. Arrays of kept hourly rates run to a million elements a
    /// query (`outcome_figures`), where a `String` each cost more than the query. Anything else, or text
    /// the fast path does not expect (a NULL element, quotes, an out-of-range number), takes the general path.
    public static func decode(pgBytes bytes: UnsafeBufferPointer<UInt8>, type: PGType) throws(PGDecodingFailure)
        -> [Element]
    {
        if Element.self == Int32.self, Int32.accepts(type.arrayElement ?? .text),
            let values = PGArrayText.integers(bytes, as: Int32.self)
        {
            return values as! [Element]
        }
        if Element.self == Int64.self || Element.self == Int.self, Int64.accepts(type.arrayElement ?? .text),
            let values = PGArrayText.integers(bytes, as: Int64.self)
        {
            return Element.self == Int64.self ? values as! [Element] : values.map(Int.init) as! [Element]
        }
        return try decode(pgText: String(decoding: bytes, as: UTF8.self), type: type)
    }

    public static func decode(pgText text: String, type: PGType) throws(PGDecodingFailure) -> [Element] {
        guard let elementType = type.arrayElement, let items = PGArrayText.decode(text) else {
            throw PGDecodingFailure("is not a one-dimensional array")
        }
        var result: [Element] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard let item else { throw PGDecodingFailure("holds a NULL element") }
            result.append(try Element.decode(pgText: item, type: elementType))
        }
        return result
    }
}

extension PGJSON {
    public static func accepts(_ type: PGType) -> Bool { type == .jsonb || type == .json }
    public static func decode(pgText text: String, type: PGType) throws(PGDecodingFailure) -> PGJSON {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return PGJSON(try decoder.decode(Value.self, from: Data(text.utf8)))
        } catch {
            throw PGDecodingFailure("does not hold JSON of the shape \(Value.self)")
        }
    }
}

public import Foundation

/// One bound parameter: its type and its value in PostgreSQL's text format (nil is SQL NULL).
public struct PGBind: Sendable, Hashable {
    public var type: PGType
    /// The value in PostgreSQL's text input format; nil, with `binary` nil too, is SQL NULL.
    public var text: String?
    /// The value in PostgreSQL's binary format, sent instead of text when set: for `bytea`, the bytes
    /// themselves — half the size of their hex text, and nothing for the server to decode.
    public var binary: [UInt8]?

    public init(type: PGType, text: String?) {
        self.type = type
        self.text = text
    }

    public init(type: PGType, binary: [UInt8]) {
        self.type = type
        self.binary = binary
    }
}

/// A Swift value that can be sent to PostgreSQL as a bound parameter.
public protocol PGEncodable: Sendable {
    /// The type the server should read the parameter as.
    static var pgType: PGType { get }
    /// The value in PostgreSQL's text input format.
    var pgText: String { get }
    /// The bind sent to the server; `Optional` overrides it to send SQL NULL.
    var pgBind: PGBind { get }
}

extension PGEncodable {
    public var pgBind: PGBind { PGBind(type: Self.pgType, text: pgText) }
}

/// A value that can stand inside a PostgreSQL array, in either direction.
public protocol PGArrayElement: PGEncodable, PGDecodable {
    static var pgArrayType: PGType { get }
}

extension Bool: PGArrayElement {
    public static var pgType: PGType { .bool }
    public static var pgArrayType: PGType { .boolArray }
    public var pgText: String { self ? "t" : "f" }
}

extension String: PGArrayElement {
    public static var pgType: PGType { .text }
    public static var pgArrayType: PGType { .textArray }
    public var pgText: String { self }
}

extension Int16: PGArrayElement {
    public static var pgType: PGType { .int2 }
    public static var pgArrayType: PGType { .int2Array }
    public var pgText: String { String(self) }
}

extension Int32: PGArrayElement {
    public static var pgType: PGType { .int4 }
    public static var pgArrayType: PGType { .int4Array }
    public var pgText: String { String(self) }
}

extension Int64: PGArrayElement {
    public static var pgType: PGType { .int8 }
    public static var pgArrayType: PGType { .int8Array }
    public var pgText: String { String(self) }
}

extension Int: PGArrayElement {
    public static var pgType: PGType { .int8 }
    public static var pgArrayType: PGType { .int8Array }
    public var pgText: String { String(self) }
}

extension Double: PGArrayElement {
    public static var pgType: PGType { .float8 }
    public static var pgArrayType: PGType { .float8Array }
    public var pgText: String {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return "\(self)"
    }
}

extension Decimal: PGArrayElement {
    public static var pgType: PGType { .numeric }
    public static var pgArrayType: PGType { .numericArray }
    public var pgText: String { isNaN ? "NaN" : description }
}

extension UUID: PGArrayElement {
    public static var pgType: PGType { .uuid }
    public static var pgArrayType: PGType { .uuidArray }
    public var pgText: String { uuidString.lowercased() }
}

extension Date: PGArrayElement {
    public static var pgType: PGType { .timestamptz }
    public static var pgArrayType: PGType { .timestamptzArray }
    public var pgText: String { PGDateText.timestamptz(self) }
}

extension Array: PGEncodable where Element: PGArrayElement {
    public static var pgType: PGType { Element.pgArrayType }
    public var pgText: String { PGArrayText.encode(map(\.pgText)) }

    /// `int4[]`, `int8[]` (`[Int64]`, `[Int]`) and `text[]` go in PostgreSQL's binary array format — one buffer, each element its
    /// length and its bytes — rather than as text built from a `String` per element, quoted and escaped here
    /// and parsed again by the server: a large return's kept hourly rates (its outcome figures) run to a million
    /// elements, and the nightly run sends tens of thousands of flags' evidence (JSON, every quote escaped
    /// in an array's text) a batch.
    public var pgBind: PGBind {
        // The element type itself, not `as? [Int32]`: with Foundation on Linux an `[Int]` of small values
        // casts to `[Int32]` too, and would go as an `int4[]`.
        if Element.self == Int32.self, let values = self as? [Int32] {
            return PGBind(type: .int4Array, binary: Self.binaryInt4(values))
        }
        if Element.self == Int64.self, let values = self as? [Int64] {
            return PGBind(
                type: .int8Array,
                binary: Self.binaryArray(of: .int8, values) { bytes, value in
                    Swift.withUnsafeBytes(of: Int32(8).bigEndian) { bytes.append(contentsOf: $0) }
                    Swift.withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
                })
        }
        if Element.self == Int.self, let values = self as? [Int] {
            return [Int64](values.map { Int64($0) }).pgBind
        }
        if Element.self == Decimal.self, let values = self as? [Decimal] {
            return PGBind(type: .numericArray, text: Self.numericText(values))
        }
        if Element.self == String.self, let values = self as? [String] {
            return PGBind(
                type: .textArray,
                binary: Self.binaryArray(of: .text, values) { bytes, value in
                    let utf8 = value.utf8
                    Swift.withUnsafeBytes(of: Int32(utf8.count).bigEndian) { bytes.append(contentsOf: $0) }
                    bytes.append(contentsOf: utf8)
                })
        }
        return PGBind(type: Self.pgType, text: pgText)
    }

    /// `values` as a `numeric[]`'s text, each distinct value written once: `Decimal.description` takes
    /// several microseconds for a value of 38 digits (7 µs for a share such as 100 × 7 / 31: a long division
    /// per digit), and the arrays the nightly run sends repeat their values — 40,000 zero-hours shares, each
    /// a fraction of a small workforce, are about a thousand distinct values (280 ms of formatting, 21 ms
    /// with each distinct one written once).
    static func numericText(_ values: [Decimal]) -> String {
        var written: [Decimal: String] = [:]
        return PGArrayText.encode(
            values.map { value in
                // NaN is not equal to itself: never a key.
                if value.isNaN { return value.pgText }
                if let text = written[value] { return text }
                let text = value.pgText
                written[value] = text
                return text
            })
    }

    /// `values` in `array_recv`'s format.
    static func binaryInt4(_ values: [Int32]) -> [UInt8] {
        binaryArray(of: .int4, values) { bytes, value in
            Swift.withUnsafeBytes(of: Int32(4).bigEndian) { bytes.append(contentsOf: $0) }
            Swift.withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
        }
    }

    /// A one-dimensional array without NULLs in `array_recv`'s format: dimensions, no-nulls flag, element
    /// type, the dimension's length and lower bound, then each element as `append` writes it (its length,
    /// big-endian, then its binary value).
    static func binaryArray<Value>(
        of elementType: PGType, _ values: [Value], append element: (inout [UInt8], Value) -> Void
    ) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20 + values.count * 12)
        func append(_ value: Int32) {
            Swift.withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
        }
        append(values.isEmpty ? 0 : 1)
        append(0)
        append(Int32(bitPattern: elementType.rawValue))
        guard !values.isEmpty else { return bytes }
        append(Int32(values.count))
        append(1)
        for value in values { element(&bytes, value) }
        return bytes
    }
}

extension Optional: PGEncodable where Wrapped: PGEncodable {
    public static var pgType: PGType { Wrapped.pgType }
    /// Never read for `nil`: `pgBind` turns `nil` into SQL NULL.
    public var pgText: String { self?.pgText ?? "" }
    public var pgBind: PGBind { self?.pgBind ?? PGBind(type: Wrapped.pgType, text: nil) }
}

/// Raw bytes, sent and read as `bytea`.
public struct PGBytes: PGArrayElement, Hashable {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init<S: Sequence<UInt8>>(_ bytes: S) { self.bytes = Array(bytes) }

    public static var pgType: PGType { .bytea }
    public static var pgArrayType: PGType { .byteaArray }
    public var pgBind: PGBind { PGBind(type: .bytea, binary: bytes) }
    public var pgText: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]("\\x".utf8)
        out.reserveCapacity(2 + bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A Codable value stored as `jsonb`.
public struct PGJSON<Value: Codable & Sendable>: PGEncodable, PGDecodable {
    public var value: Value
    public init(_ value: Value) { self.value = value }

    public static var pgType: PGType { .jsonb }
    public var pgText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        // Encoding a Codable value that is already in memory only fails for non-finite floats.
        let data = (try? encoder.encode(value)) ?? Data("null".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

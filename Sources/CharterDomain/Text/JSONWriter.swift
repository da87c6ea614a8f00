public import Foundation

/// Writes JSON straight into bytes, where `JSONEncoder`'s generic machinery (a tree of boxed values, key
/// conversion, then serialisation) costs more than the work around it: the API's flag queue, and the
/// evidence a nightly run stores for every flag it opens (`Evidence.compactJSON`).
///
/// The output is `JSONEncoder`'s with `.sortedKeys` and `.withoutEscapingSlashes` for the same value
/// (ISO 8601 instants in UTC, absent optionals left out, strings escaped as it escapes them); callers write
/// members in sorted order, and tests hold each caller's output to the encoder's (`FlagPageJSONTests`,
/// `EvidenceJSONTests`).
///
/// It writes into one buffer it owns (hence not copyable), growing it by doubling, and checks for
/// room once per value instead of once per byte: a page of fifty flags is some six hundred values.
public struct JSONWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    /// Bit `n` set: the container open at depth `n` already holds a member or element.
    private var started: UInt64 = 0
    private var depth = 0
    /// Set between a key and its value, so the value is not preceded by a comma.
    private var pendingValue = false

    /// A number was not finite: what was written is not JSON (`JSONEncoder` refuses it too).
    public private(set) var failed = false

    public init(capacity: Int = 4_096) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// What has been written.
    public func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// What has been written, as an array.
    public var bytes: [UInt8] { withBytes { Array($0) } }

    public mutating func beginObject() { open(UInt8(ascii: "{")) }

    public mutating func endObject() { close(UInt8(ascii: "}")) }

    public mutating func beginArray() { open(UInt8(ascii: "[")) }

    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// A member's name; its value follows. Callers write members in sorted order, as the encoder does.
    public mutating func key(_ name: StaticString) {
        separate()
        reserve(name.utf8CodeUnitCount + 3)
        put(UInt8(ascii: "\""))
        (base + count).update(from: name.utf8Start, count: name.utf8CodeUnitCount)
        count += name.utf8CodeUnitCount
        put(UInt8(ascii: "\""))
        put(UInt8(ascii: ":"))
        // The value belongs to this member: no comma before it.
        pendingValue = true
    }

    /// A member's name not known at compile time (a coding key's, a dictionary's).
    public mutating func key(_ name: String) {
        string(name)
        reserve(1)
        put(UInt8(ascii: ":"))
        pendingValue = true
    }

    public mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { string($0) }
    }

    /// A string given as its UTF-8 bytes.
    private mutating func string(_ utf8: UnsafeBufferPointer<UInt8>) {
        separate()
        // Most names and ids need no escape: copy them whole.
        var plain = true
        for byte in utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            plain = false
            break
        }
        // An escape is at most six bytes (`\u001f`) for one.
        reserve((plain ? utf8.count : utf8.count * 6) + 2)
        put(UInt8(ascii: "\""))
        if plain {
            if let start = utf8.baseAddress { (base + count).update(from: start, count: utf8.count) }
            count += utf8.count
        } else {
            for byte in utf8 { putEscaped(byte) }
        }
        put(UInt8(ascii: "\""))
    }

    public mutating func int(_ value: Int64) {
        separate()
        reserve(20)
        if value < 0 { put(UInt8(ascii: "-")) }
        putDigits(value.magnitude, width: 1)
    }

    public mutating func int(_ value: Int) { int(Int64(value)) }

    /// A decimal as `JSONEncoder` writes one (its description); a value that is not finite marks the
    /// writing `failed`.
    public mutating func decimal(_ value: Decimal) {
        guard value.isFinite else {
            failed = true
            return
        }
        separate()
        let text = value.description
        reserve(text.utf8.count)
        for byte in text.utf8 { put(byte) }
    }

    public mutating func bool(_ value: Bool) {
        separate()
        reserve(5)
        for byte in (value ? "true" : "false").utf8 { put(byte) }
    }

    public mutating func null() {
        separate()
        reserve(4)
        for byte in "null".utf8 { put(byte) }
    }

    /// An instant as `JSONEncoder.DateEncodingStrategy.iso8601` writes it: `2026-11-27T21:30:05Z`,
    /// whole seconds (rounded down), UTC.
    public mutating func date(_ value: Date) {
        separate()
        let seconds = Int64(value.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let date = CalendarDate(daysSinceEpoch: Int(days))
        reserve(22)
        put(UInt8(ascii: "\""))
        putDigits(UInt64(date.year), width: 4)
        put(UInt8(ascii: "-"))
        putDigits(UInt64(date.month), width: 2)
        put(UInt8(ascii: "-"))
        putDigits(UInt64(date.day), width: 2)
        put(UInt8(ascii: "T"))
        putDigits(UInt64(secondOfDay / 3_600), width: 2)
        put(UInt8(ascii: ":"))
        putDigits(UInt64(secondOfDay % 3_600 / 60), width: 2)
        put(UInt8(ascii: ":"))
        putDigits(UInt64(secondOfDay % 60), width: 2)
        put(UInt8(ascii: "Z"))
        put(UInt8(ascii: "\""))
    }

    /// A reporting period, `YYYY-Qn`, as `ReportingPeriod`'s `Codable` conformance writes it.
    public mutating func period(_ value: ReportingPeriod) {
        separate()
        reserve(9)
        put(UInt8(ascii: "\""))
        putDigits(UInt64(value.year), width: 4)
        put(UInt8(ascii: "-"))
        put(UInt8(ascii: "Q"))
        putDigits(UInt64(value.quarter), width: 1)
        put(UInt8(ascii: "\""))
    }

    // MARK: Private

    private static let hexDigits: StaticString = "0123456789abcdef"

    private mutating func open(_ bracket: UInt8) {
        separate()
        precondition(depth < UInt64.bitWidth, "JSON nested deeper than \(UInt64.bitWidth) containers")
        reserve(1)
        put(bracket)
        started &= ~(1 << depth)
        depth += 1
    }

    private mutating func close(_ bracket: UInt8) {
        depth -= 1
        reserve(1)
        put(bracket)
    }

    /// A comma before every member or element but the first of its container.
    private mutating func separate() {
        if pendingValue {
            pendingValue = false
            return
        }
        guard depth > 0 else { return }
        let bit: UInt64 = 1 << (depth - 1)
        if started & bit != 0 {
            reserve(1)
            put(UInt8(ascii: ","))
        } else {
            started |= bit
        }
    }

    /// Room for `bytes` more bytes; the `put`s that follow rely on it.
    @inline(__always)
    private mutating func reserve(_ bytes: Int) {
        if count + bytes > capacity { grow(toHold: count + bytes) }
    }

    private mutating func grow(toHold needed: Int) {
        let larger = max(needed, capacity * 2)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        moved.moveInitialize(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = larger
    }

    @inline(__always)
    private mutating func put(_ byte: UInt8) {
        base[count] = byte
        count += 1
    }

    /// The decimal digits of `value`, zero-padded to `width` (at most 20 bytes; reserved by the caller).
    private mutating func putDigits(_ value: UInt64, width: Int) {
        var length = 1
        var rest = value / 10
        while rest > 0 {
            length += 1
            rest /= 10
        }
        length = max(length, width)
        rest = value
        for index in stride(from: count + length - 1, through: count, by: -1) {
            base[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        count += length
    }

    /// One byte of a string that needs escaping (up to six bytes; reserved by the caller).
    private mutating func putEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"):
            put(UInt8(ascii: "\\"))
            put(byte)
        case UInt8(ascii: "\n"):
            put(UInt8(ascii: "\\"))
            put(UInt8(ascii: "n"))
        case UInt8(ascii: "\r"):
            put(UInt8(ascii: "\\"))
            put(UInt8(ascii: "r"))
        case UInt8(ascii: "\t"):
            put(UInt8(ascii: "\\"))
            put(UInt8(ascii: "t"))
        case 0x08:
            put(UInt8(ascii: "\\"))
            put(UInt8(ascii: "b"))
        case 0x0C:
            put(UInt8(ascii: "\\"))
            put(UInt8(ascii: "f"))
        case 0..<0x20:
            for byte in "\\u00".utf8 { put(byte) }
            put(Self.hexDigits.utf8Start[Int(byte >> 4)])
            put(Self.hexDigits.utf8Start[Int(byte & 0xF)])
        default: put(byte)
        }
    }
}

extension JSONWriter {
    /// A member written only when `value` is not nil (as synthesized `encodeIfPresent` does).
    public mutating func field<Value>(
        _ name: some CodingKey, _ value: Value?, _ write: (inout JSONWriter, Value) -> Void
    ) {
        guard let value else { return }
        key(name.stringValue)
        write(&self, value)
    }

    /// A member written as `null` when `value` is nil (as an explicit `encode` of an optional does).
    public mutating func field<Value>(
        _ name: some CodingKey, orNull value: Value?, _ write: (inout JSONWriter, Value) -> Void
    ) {
        key(name.stringValue)
        if let value { write(&self, value) } else { null() }
    }

    public mutating func array<Element>(_ items: [Element], _ write: (inout JSONWriter, Element) -> Void) {
        beginArray()
        for item in items { write(&self, item) }
        endArray()
    }

    /// A dictionary as an object, its keys in UTF-8 byte order as `.sortedKeys` orders them.
    public mutating func object<Value>(_ dictionary: [String: Value], _ write: (inout JSONWriter, Value) -> Void) {
        beginObject()
        for (name, value) in dictionary.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            key(name)
            write(&self, value)
        }
        endObject()
    }
}

import Foundation

/// PostgreSQL's ISO text forms of `date` and `timestamptz`, without `DateFormatter`.
///
/// Every connection sets `TimeZone = 'UTC'` and `DateStyle = 'ISO, YMD'`, so the server writes
/// `2026-11-24 06:25:15.123456+00`; offsets other than zero are still honoured.
enum PGDateText {
    static func timestamptz(_ date: Date) -> String {
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        var seconds = Int64((totalMicros / 1_000_000).rounded(.down))
        let micros = Int64(totalMicros) - seconds * 1_000_000
        let days = floorDiv(seconds, 86_400)
        seconds -= days * 86_400
        let (y, m, d) = civil(fromDays: days)
        let hh = seconds / 3600, mm = (seconds % 3600) / 60, ss = seconds % 60
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(hh, 2)):\(pad(mm, 2)):\(pad(ss, 2)).\(pad(micros, 6))Z"
    }

    /// Parses `YYYY-MM-DD`, optionally followed by ` HH:MM:SS[.ffffff][±HH[:MM[:SS]]]`.
    static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { bytes in parse(bytes) }
    }

    /// The same from the text's UTF-8 bytes.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        var cursor = Cursor(bytes: bytes)
        return parse(&cursor)
    }

    /// Reads the text's bytes front to back. (A struct over the buffer, not closures capturing the
    /// position: a page of flags parses two hundred instants, and boxed captures showed in profiles.)
    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        var atEnd: Bool { index == bytes.count }

        mutating func number(_ count: Int) -> Int64? {
            guard index + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for k in index..<(index + count) {
                let byte = bytes[k]
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            index += count
            return value
        }

        mutating func expect(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
    }

    private static func parse(_ c: inout Cursor) -> Date? {
        guard let year = c.number(4), c.expect(UInt8(ascii: "-")), let month = c.number(2),
            c.expect(UInt8(ascii: "-")), let day = c.number(2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var seconds = days(fromCivil: year, month, day) * 86_400
        var fraction = 0.0
        if !c.atEnd {
            guard c.expect(UInt8(ascii: " ")) || c.expect(UInt8(ascii: "T")), let hh = c.number(2),
                c.expect(UInt8(ascii: ":")), let mi = c.number(2), c.expect(UInt8(ascii: ":")), let ss = c.number(2)
            else { return nil }
            seconds += hh * 3600 + mi * 60 + ss
            if c.expect(UInt8(ascii: ".")) {
                // The digits as one integer over a power of ten: one correctly rounded division, so
                // the instant is the same Double as from the binary form (see `fraction(_:digits:)`).
                var digits: Int64 = 0
                var count = 0
                while !c.atEnd, c.bytes[c.index] >= 48 && c.bytes[c.index] <= 57 {
                    if count < 15 {
                        digits = digits * 10 + Int64(c.bytes[c.index] - 48)
                        count += 1
                    }
                    c.index += 1
                }
                fraction = Self.fraction(digits, digits: count)
            }
            if !c.atEnd {
                let sign: Int64
                if c.expect(UInt8(ascii: "+")) {
                    sign = 1
                } else if c.expect(UInt8(ascii: "-")) {
                    sign = -1
                } else if c.expect(UInt8(ascii: "Z")) {
                    return c.atEnd ? instant(seconds: seconds, fraction: fraction) : nil
                } else {
                    return nil
                }
                guard let oh = c.number(2) else { return nil }
                var offset = oh * 3600
                if c.expect(UInt8(ascii: ":")) {
                    guard let om = c.number(2) else { return nil }
                    offset += om * 60
                    if c.expect(UInt8(ascii: ":")) {
                        guard let os = c.number(2) else { return nil }
                        offset += os
                    }
                }
                seconds -= sign * offset
            }
        }
        guard c.atEnd else { return nil }
        return instant(seconds: seconds, fraction: fraction)
    }

    /// `value` / 10^`digits` (at most 15 digits), correctly rounded.
    static func fraction(_ value: Int64, digits: Int) -> Double {
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        return Double(value) / Double(scale)
    }

    /// An instant from whole seconds since 1970 and the fraction of a second after them, added as the
    /// text parser adds them.
    static func instant(seconds: Int64, fraction: Double) -> Date {
        Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

/// The text form of one-dimensional PostgreSQL arrays: `{1,2,"a b","q\"uote",NULL}`.
///
/// Worked on UTF-8 bytes: every character with a meaning here is ASCII, so a multi-byte character
/// is copied through untouched. (Going character by character cost more than the statement for a
/// nightly batch's tens of thousands of evidence texts.)
enum PGArrayText {
    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), comma = UInt8(ascii: ",")
    private static let open = UInt8(ascii: "{"), close = UInt8(ascii: "}")

    static func encode(_ items: [String]) -> String {
        var out: [UInt8] = [open]
        out.reserveCapacity(items.reduce(2) { $0 + $1.utf8.count + 3 })
        for (index, item) in items.enumerated() {
            if index > 0 { out.append(comma) }
            out.append(quote)
            for byte in item.utf8 {
                if byte == quote || byte == backslash { out.append(backslash) }
                out.append(byte)
            }
            out.append(quote)
        }
        out.append(close)
        return String(decoding: out, as: UTF8.self)
    }

    /// The elements of a one-dimensional array of integers written plainly (`{1,-2,3}`), or nil for
    /// anything else — a NULL element, quotes, spaces, a number out of `T`'s range — which the general
    /// path then reads (or refuses) as it always has.
    static func integers<T: FixedWidthInteger>(_ bytes: UnsafeBufferPointer<UInt8>, as _: T.Type) -> [T]? {
        guard bytes.count >= 2, bytes[0] == open, bytes[bytes.count - 1] == close else { return nil }
        var result: [T] = []
        if bytes.count == 2 { return result }
        result.reserveCapacity(bytes.count / 4)
        var index = 1
        let end = bytes.count - 1
        while index < end {
            let negative = bytes[index] == UInt8(ascii: "-")
            if negative { index += 1 }
            var value: T = 0
            var digits = 0
            while index < end, bytes[index] &- UInt8(ascii: "0") < 10 {
                let digit = T(bytes[index] &- UInt8(ascii: "0"))
                let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
                let (added, overflowB) =
                    negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
                if overflowA || overflowB { return nil }
                value = added
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            result.append(value)
            if index < end {
                guard bytes[index] == comma, index + 1 < end else { return nil }
                index += 1
            }
        }
        return result
    }

    /// The elements (nil for NULL), or nil when the text is not a one-dimensional array.
    static func decode(_ text: String) -> [String?]? {
        let bytes = Array(text.utf8)
        guard bytes.first == open, bytes.last == close else { return nil }
        var items: [String?] = []
        var i = 1
        let end = bytes.count - 1
        if i == end { return [] }
        var item: [UInt8] = []
        while i <= end {
            item.removeAll(keepingCapacity: true)
            var quoted = false
            if bytes[i] == quote {
                quoted = true
                i += 1
                while i < end, bytes[i] != quote {
                    if bytes[i] == backslash { i += 1 }
                    guard i < end else { return nil }
                    item.append(bytes[i])
                    i += 1
                }
                guard i < end else { return nil }
                i += 1  // closing quote
            } else {
                while i < end, bytes[i] != comma {
                    if bytes[i] == open || bytes[i] == quote { return nil }  // nested or malformed
                    item.append(bytes[i])
                    i += 1
                }
            }
            let value = String(decoding: item, as: UTF8.self)
            items.append(!quoted && value.uppercased() == "NULL" ? nil : value)
            if i == end { break }
            guard bytes[i] == comma else { return nil }
            i += 1
        }
        return items
    }
}

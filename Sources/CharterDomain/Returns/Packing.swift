/// The compact binary form of what is kept beside a return version to be read back in bulk
/// (`ReturnFigures.packed`, `ReturnHeader.packed`): unsigned LEB128 numbers, signed ones zigzagged
/// first, a text as its byte count then its UTF-8, a date as year, month and day.
struct PackWriter {
    var bytes: [UInt8] = []

    mutating func number(_ value: Int) {
        unsigned(UInt64(max(value, 0)))
    }

    /// Any `Int`, negative ones too (zigzag: 0, -1, 1, -2 … become 0, 1, 2, 3 …).
    mutating func signed(_ value: Int) {
        let wide = Int64(value)
        unsigned(UInt64(bitPattern: (wide << 1) ^ (wide >> 63)))
    }

    mutating func unsigned(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func text(_ value: String) {
        let utf8 = Array(value.utf8)
        number(utf8.count)
        bytes += utf8
    }

    mutating func flag(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    /// The exact bits of a `Double`, so it reads back equal.
    mutating func double(_ value: Double) {
        unsigned(value.bitPattern)
    }

    mutating func date(_ value: CalendarDate) {
        signed(value.year)
        number(value.month)
        number(value.day)
    }
}

/// Reads what `PackWriter` wrote; every failure is a `CharterDomainError` of `code` about `subject`.
struct PackReader {
    let bytes: [UInt8]
    let code: CharterDomainError.Code
    /// What is being read, for the messages: "the kept figures".
    let subject: String
    var position = 0

    init(bytes: [UInt8], code: CharterDomainError.Code, subject: String) {
        self.bytes = bytes
        self.code = code
        self.subject = subject
    }

    var isAtEnd: Bool { position == bytes.count }

    func failure(_ message: String) -> CharterDomainError {
        CharterDomainError(code, message)
    }

    mutating func byte() throws(CharterDomainError) -> UInt8 {
        guard position < bytes.count else { throw failure("\(subject) end too soon") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func unsigned() throws(CharterDomainError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            guard shift < 64, shift < 63 || next <= 1 else { throw failure("a number in \(subject) is too large") }
            value |= UInt64(next & 0x7F) << shift
            if next < 0x80 { break }
            shift += 7
        }
        return value
    }

    mutating func number() throws(CharterDomainError) -> Int {
        let value = try unsigned()
        guard value <= UInt64(Int.max) else { throw failure("a number in \(subject) is too large") }
        return Int(value)
    }

    mutating func signed() throws(CharterDomainError) -> Int {
        let zigzag = try unsigned()
        let value = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
        return Int(value)
    }

    mutating func text() throws(CharterDomainError) -> String {
        let count = try number()
        guard count <= bytes.count - position else { throw failure("\(subject) end too soon") }
        defer { position += count }
        return String(decoding: bytes[position..<position + count], as: UTF8.self)
    }

    mutating func flag() throws(CharterDomainError) -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        default: throw failure("a yes or no in \(subject) is neither")
        }
    }

    mutating func double() throws(CharterDomainError) -> Double {
        Double(bitPattern: try unsigned())
    }

    mutating func date() throws(CharterDomainError) -> CalendarDate {
        let (year, month, day) = (try signed(), try number(), try number())
        guard let date = CalendarDate(year: year, month: month, day: day) else {
            throw failure("a date in \(subject) is not a calendar date")
        }
        return date
    }
}

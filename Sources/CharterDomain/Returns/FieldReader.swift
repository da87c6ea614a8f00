import Foundation

/// Reads typed values out of one CSV record by column, collecting a clerk-readable error for
/// each value that is blank where it must not be, or not of its column's form.
struct FieldReader {
    let record: CSVRecord
    let columnIndex: [WorkerLineColumn: Int]
    private(set) var errors: [ReturnIssue] = []

    init(record: CSVRecord, columnIndex: [WorkerLineColumn: Int]) {
        self.record = record
        self.columnIndex = columnIndex
    }

    func text(_ column: WorkerLineColumn) -> String {
        guard let index = columnIndex[column], index < record.fields.count else { return "" }
        return record.fields[index].trimmingSpaces
    }

    mutating func fail(_ column: WorkerLineColumn, _ message: String) {
        errors.append(ReturnIssue(.error, line: record.line, column: column.rawValue, message))
    }

    /// A value from a fixed list, any letter case.
    mutating func choice<Choice: RawRepresentable & CaseIterable>(_ column: WorkerLineColumn) -> Choice?
    where Choice.RawValue == String {
        let value = text(column)
        guard !value.isEmpty else {
            fail(column, "\(column.rawValue) is blank; use one of \(Self.list(Choice.self))")
            return nil
        }
        guard let parsed = Choice(rawValue: value.lowercased()) else {
            fail(column, "\(column.rawValue) \"\(value.excerpt())\" is not one of \(Self.list(Choice.self))")
            return nil
        }
        return parsed
    }

    mutating func bool(_ column: WorkerLineColumn, required: Bool) -> Bool? {
        let value = text(column)
        if value.isEmpty {
            if required { fail(column, "\(column.rawValue) is blank; answer yes or no") }
            return nil
        }
        switch value.lowercased() {
        case "true", "yes", "1": return true
        case "false", "no", "0": return false
        default:
            fail(column, "\(column.rawValue) \"\(value.excerpt())\" is not yes or no (write true/false, yes/no or 1/0)")
            return nil
        }
    }

    /// Pounds: a positive number with at most 4 decimal places, at most £500 an hour.
    mutating func money(_ column: WorkerLineColumn, required: Bool) -> Decimal? {
        let value = text(column)
        if value.isEmpty {
            if required { fail(column, "\(column.rawValue) is blank; enter the hourly rate in pounds, e.g. 12.60") }
            return nil
        }
        guard let (number, places) = Self.decimal(value) else {
            fail(
                column,
                "\(column.rawValue) \"\(value.excerpt())\" is not an amount in pounds; write it like 12.60"
                    + " (a point before the pence, no £ sign or commas)")
            return nil
        }
        guard places <= 4 else {
            fail(column, "\(column.rawValue) \"\(value.excerpt())\" has more than 4 decimal places")
            return nil
        }
        guard number > 0, number <= 500 else {
            fail(column, "\(column.rawValue) \"\(value.excerpt())\" must be more than 0 and at most 500 pounds an hour")
            return nil
        }
        return number
    }

    /// Weekly hours from 0 to 100.
    mutating func hours(_ column: WorkerLineColumn, required: Bool) -> Decimal? {
        let value = text(column)
        if value.isEmpty {
            if required { fail(column, "\(column.rawValue) is blank; enter weekly hours (0 for none)") }
            return nil
        }
        guard let (number, _) = Self.decimal(value), number >= 0, number <= 100 else {
            fail(column, "\(column.rawValue) \"\(value.excerpt())\" must be a number of weekly hours from 0 to 100")
            return nil
        }
        return number
    }

    mutating func date(_ column: WorkerLineColumn, required: Bool) -> CalendarDate? {
        let value = text(column)
        if value.isEmpty {
            if required { fail(column, "\(column.rawValue) is blank; enter a date like 2025-04-01") }
            return nil
        }
        guard let date = CalendarDate(iso: value) else {
            fail(
                column,
                "\(column.rawValue) \"\(value.excerpt())\" is not a date in the form YYYY-MM-DD, e.g. 2025-04-01")
            return nil
        }
        if let problem = date.implausibility(field: column.rawValue) {
            fail(column, problem)
            return nil
        }
        return date
    }

    /// The most shifts one worker line may count in a quarter: over 100 a day, far past any real
    /// rota, and well inside the database's 32-bit integer columns.
    static let maximumShifts = 10_000

    /// A whole number of shifts, 0 to `maximumShifts`.
    mutating func count(_ column: WorkerLineColumn) -> Int? {
        let value = text(column)
        guard !value.isEmpty else {
            fail(column, "\(column.rawValue) is blank; enter a number of shifts (0 if none)")
            return nil
        }
        guard !value.isEmpty, value.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            fail(column, "\(column.rawValue) \"\(value.excerpt())\" must be a whole number of shifts, 0 or more")
            return nil
        }
        // Digits past what an Int holds are out of range too, not "not a number".
        guard let number = Int(value), number <= Self.maximumShifts else {
            fail(
                column,
                "\(column.rawValue) \(value.excerpt()) is out of range: a line counts 0 to"
                    + " \(Self.maximumShifts.grouped) shifts in a quarter")
            return nil
        }
        return number
    }

    /// Parses `-?digits(.digits)?`; returns the value and its number of decimal places.
    ///
    /// Built from the digits directly: `Decimal(string:locale:)` costs a locale per call, and a
    /// return can have a million lines.
    static func decimal(_ text: String) -> (Decimal, Int)? {
        var bytes = Substring(text).utf8[...]
        var negative = false
        if bytes.first == UInt8(ascii: "-") {
            negative = true
            bytes = bytes.dropFirst()
        }
        guard let first = bytes.first, first != UInt8(ascii: ".") else { return nil }
        var places = 0
        var seenPoint = false
        var significand: UInt64 = 0
        var digits = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard !seenPoint else { return nil }
                seenPoint = true
            } else if byte >= 48 && byte <= 57 {
                if seenPoint { places += 1 }
                if significand == 0 && byte == 48 { continue }  // leading zeros
                digits += 1
                guard digits <= 18 else { return nil }
                significand = significand * 10 + UInt64(byte - 48)
            } else {
                return nil
            }
        }
        guard !(seenPoint && places == 0) else { return nil }
        // The shortest form, so 13.50 and 13.5 are the same value with the same text everywhere.
        var exponent = -places
        while exponent < 0 && significand % 10 == 0 && significand != 0 {
            significand /= 10
            exponent += 1
        }
        if significand == 0 { exponent = 0 }
        let value = Decimal(
            sign: negative && significand != 0 ? .minus : .plus, exponent: exponent, significand: Decimal(significand))
        return (value, places)
    }

    static func list<Choice: RawRepresentable & CaseIterable>(_: Choice.Type) -> String
    where Choice.RawValue == String {
        let names = Choice.allCases.map(\.rawValue)
        return names.dropLast().joined(separator: ", ") + " or " + names.last!
    }
}

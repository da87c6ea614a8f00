/// One of the five fields of a cron expression, parsed into the set of values it allows.
///
/// Kept as a bit set (bit `n` set when value `n` is allowed) so that matching a day, hour or minute during a
/// search is one shift and one mask, with no allocation.
struct CronField: Sendable, Hashable {
    /// Which of the five positions a field is in: its name in messages, its range and its names.
    enum Kind: Sendable {
        case minute, hour, dayOfMonth, month, dayOfWeek

        var name: String {
            switch self {
            case .minute: "minute"
            case .hour: "hour"
            case .dayOfMonth: "day-of-month"
            case .month: "month"
            case .dayOfWeek: "day-of-week"
            }
        }

        /// The values a number may take. Day-of-week accepts 7 as a second spelling of Sunday, as Vixie cron does.
        var bounds: ClosedRange<Int> {
            switch self {
            case .minute: 0...59
            case .hour: 0...23
            case .dayOfMonth: 1...31
            case .month: 1...12
            case .dayOfWeek: 0...7
            }
        }

        /// The values `*` stands for; day-of-week stops at 6 so that Sunday is not counted twice by a step.
        var all: ClosedRange<Int> { self == .dayOfWeek ? 0...6 : bounds }

        /// Three-letter names, the first one standing for `namesStart`.
        var names: [String] {
            switch self {
            case .month: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
            case .dayOfWeek: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
            default: []
            }
        }

        var namesStart: Int { self == .month ? 1 : 0 }

        var valueKinds: String {
            switch self {
            case .month: "a number or a month name (JAN-DEC)"
            case .dayOfWeek: "a number or a day name (SUN-SAT)"
            default: "a whole number"
            }
        }
    }

    /// Bit `n` is set when value `n` is allowed (day-of-week 7 is folded into 0).
    let bits: UInt64

    /// Whether the field was written starting with `*` (`*` or `*/n`).
    ///
    /// Vixie cron decides between "day-of-month AND day-of-week" and "day-of-month OR day-of-week" by this
    /// flag, not by the values allowed, so it is kept as written.
    let startsWithStar: Bool

    func contains(_ value: Int) -> Bool { bits & (1 << UInt64(value)) != 0 }

    /// The allowed values in ascending order.
    var values: [Int] { (0..<64).filter { contains($0) } }

    /// Parses one field: a comma-separated list of `*`, `*/n`, `v`, `a-b` or `a-b/n`.
    init(_ text: Substring, as kind: Kind) throws(CronError) {
        var bits: UInt64 = 0
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw Self.error(kind, text, "has an empty list entry") }
            bits |= try Self.parse(item: item, as: kind)
        }
        if kind == .dayOfWeek, bits & (1 << 7) != 0 {
            bits = (bits & ~(1 << 7)) | 1
        }
        self.bits = bits
        self.startsWithStar = text.first == "*"
    }

    private static func parse(item: Substring, as kind: Kind) throws(CronError) -> UInt64 {
        let parts = item.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw error(kind, item, "has more than one \"/\"") }
        var step = 1
        if parts.count == 2 {
            guard let number = wholeNumber(parts[1]) else {
                throw error(kind, item, "has a step that is not a whole number")
            }
            guard number >= 1 else { throw error(kind, item, "has a step of 0; a step must be at least 1") }
            step = number
        }
        let range: ClosedRange<Int>
        if parts[0] == "*" {
            range = kind.all
        } else {
            let ends = parts[0].split(separator: "-", omittingEmptySubsequences: false)
            guard ends.count <= 2 else { throw error(kind, item, "is not a value or a range a-b") }
            let low = try value(ends[0], in: item, as: kind)
            let high = ends.count == 2 ? try value(ends[1], in: item, as: kind) : low
            if ends.count == 1, parts.count == 2 {
                // Vixie cron rejects "5/15" too; other crons read it as 5-59/15 or as 5 — too ambiguous to guess.
                throw error(kind, item, "has a step after a single value; write a range with it (a-b/n) or */n")
            }
            guard low <= high else { throw error(kind, item, "is a backwards range; write it as two ranges") }
            range = low...high
        }
        var bits: UInt64 = 0
        for value in stride(from: range.lowerBound, through: range.upperBound, by: step) {
            bits |= 1 << UInt64(value)
        }
        return bits
    }

    private static func value(_ token: Substring, in item: Substring, as kind: Kind) throws(CronError) -> Int {
        guard !token.isEmpty else { throw error(kind, item, "is missing a value") }
        if token.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            guard let number = wholeNumber(token), kind.bounds.contains(number) else {
                throw error(kind, token, "is out of range \(kind.bounds.lowerBound)-\(kind.bounds.upperBound)")
            }
            return number
        }
        guard let index = kind.names.firstIndex(of: token.uppercased()) else {
            throw error(kind, token, "is not \(kind.valueKinds)")
        }
        return kind.namesStart + index
    }

    /// ASCII digits only (no sign, no other scripts' digits); nil when too long to be meaningful.
    private static func wholeNumber(_ token: Substring) -> Int? {
        guard !token.isEmpty, token.utf8.count <= 9,
            token.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return Int(token)
    }

    private static func error(_ kind: Kind, _ text: Substring, _ problem: String) -> CronError {
        CronError("\(kind.name) field \"\(text)\" \(problem)")
    }
}

public import Foundation

/// One value of a standard's parameters, as held in the `params` JSON of a standard or the
/// `overrides` JSON of a pledge.
///
/// Numbers are `Decimal` so thresholds like 2.5 hours compare exactly.
public enum ParameterValue: Sendable, Hashable, CustomStringConvertible {
    case number(Decimal)
    case text(String)
    case flag(Bool)
    case list([String])

    /// The value of a JSONSerialization result; nil for null, objects and lists holding non-strings.
    init?(json: Any) {
        if let number = json as? NSNumber {
            // `is Bool` is no test on Linux, where every NSNumber of 0 or 1 bridges to Bool: a threshold
            // of 1 would read as `true`. JSONSerialization makes true and false as char-typed numbers.
            if String(cString: number.objCType) == "c" {
                self = .flag(number.boolValue)
            } else if String(cString: number.objCType) == "d" || String(cString: number.objCType) == "f" {
                // Via the shortest round-trip text, so 0.1 stays 0.1 rather than 0.1000000000000000055…
                guard let decimal = Decimal(string: "\(number.doubleValue)") else { return nil }
                self = .number(decimal)
            } else {
                self = .number(number.decimalValue)
            }
        } else if let text = json as? String {
            self = .text(text)
        } else if let items = json as? [Any] {
            var strings: [String] = []
            for item in items {
                guard let string = item as? String else { return nil }
                strings.append(string)
            }
            self = .list(strings)
        } else {
            return nil
        }
    }

    /// The value as a JSONSerialization object, for writing back to JSON.
    var jsonObject: Any {
        switch self {
        case .number(let value): NSDecimalNumber(decimal: value)
        case .text(let value): value
        case .flag(let value): value
        case .list(let value): value
        }
    }

    /// The value as JSON would show it: `5`, `"breach"`, `true`, `["apprentice", "intern"]`.
    public var description: String {
        switch self {
        case .number(let value): "\(value)"
        case .text(let value): "\"\(value)\""
        case .flag(let value): "\(value)"
        case .list(let value): "[" + value.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        }
    }

    /// The number, if this is one.
    public var number: Decimal? {
        if case .number(let value) = self { value } else { nil }
    }
}

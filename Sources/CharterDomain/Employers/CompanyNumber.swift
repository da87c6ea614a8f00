/// A Companies House number: 8 digits, or 2 letters and 6 digits (`SC016876`, `RC000641`).
public struct CompanyNumber: Hashable, Sendable, CustomStringConvertible, Codable {
    public let value: String

    /// Accepts surrounding spaces and lower-case letters; nil for anything else.
    public init?(_ text: some StringProtocol) {
        let candidate = text.trimmingSpaces.uppercased()
        let bytes = Array(candidate.utf8)
        guard bytes.count == 8 else { return nil }
        let isDigit = { (b: UInt8) in b >= 48 && b <= 57 }
        let isLetter = { (b: UInt8) in b >= 65 && b <= 90 }
        let allDigits = bytes.allSatisfy(isDigit)
        let prefixed = isLetter(bytes[0]) && isLetter(bytes[1]) && bytes[2...].allSatisfy(isDigit)
        guard allDigits || prefixed else { return nil }
        self.value = candidate
    }

    public var description: String { value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let number = CompanyNumber(text) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription:
                        "\"\(text)\" is not a Companies House number (8 digits, or 2 letters and 6 digits)"))
        }
        self = number
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (no Foundation needed).
    var trimmingSpaces: String {
        // Nearly every value has no spaces to trim: hand it back without rebuilding it.
        let bytes = Substring(self).utf8
        guard let first = bytes.first, let last = bytes.last else { return "" }
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        if first != space && first != tab && last != space && last != tab { return String(self) }
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}

extension CompanyNumber {
    /// The number someone typed to look a signatory up — in any case and with any spacing
    /// (`sc 123 456`), and with the leading zeros of an all-digit number left off (`1234567` is
    /// `01234567`, as Companies House's own search reads it); nil when no number could be meant.
    public init?(lookup text: some StringProtocol) {
        var squeezed = ""
        for scalar in text.unicodeScalars where !scalar.properties.isWhitespace && scalar != "-" {
            squeezed.unicodeScalars.append(scalar)
        }
        if (6..<8).contains(squeezed.utf8.count), squeezed.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            squeezed = String(repeating: "0", count: 8 - squeezed.utf8.count) + squeezed
        }
        self.init(squeezed)
    }
}

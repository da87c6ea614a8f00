/// A header value of the form `value *( ";" name "=" ( token / quoted-string ) )`, read from raw bytes.
///
/// Both headers the multipart code reads have this shape: the request's `Content-Type`
/// (`multipart/form-data; boundary="abc"`) and a part's `Content-Disposition`
/// (`form-data; name="lines"; filename="April; final.csv"`). A quoted string may hold `;` and
/// backslash escapes (`\"`, `\\`), which is why the value is not simply split at semicolons.
struct MultipartHeaderValue {
    struct Parameter {
        /// ASCII-lowercased, since parameter names are case-insensitive.
        var name: [UInt8]
        /// Unquoted and unescaped, otherwise as sent.
        var value: [UInt8]
    }

    /// The part before the first `;`, trimmed, case as sent (e.g. `multipart/form-data`, `form-data`).
    var value: [UInt8]
    var parameters: [Parameter]

    /// Reads `bytes`; nil when a quoted string is not closed, since then no parameter can be trusted.
    init?(_ bytes: some Collection<UInt8>) {
        let bytes = Array(bytes)
        let semicolon = UInt8(ascii: ";")
        let equals = UInt8(ascii: "=")
        let quote = UInt8(ascii: "\"")
        let backslash = UInt8(ascii: "\\")
        var index = 0
        while index < bytes.count && bytes[index] != semicolon { index += 1 }
        value = Self.trimmed(bytes[..<index])
        parameters = []
        // Here `index` is at a `;` or at the end.
        while index < bytes.count {
            index += 1
            let nameStart = index
            while index < bytes.count && bytes[index] != equals && bytes[index] != semicolon { index += 1 }
            let name = Self.asciiLowercased(Self.trimmed(bytes[nameStart..<index]))
            // A parameter without `=` carries nothing we read; skip it.
            guard index < bytes.count, bytes[index] == equals else { continue }
            index += 1
            while index < bytes.count && Self.isWhitespace(bytes[index]) { index += 1 }
            var parameterValue: [UInt8] = []
            if index < bytes.count && bytes[index] == quote {
                index += 1
                var closed = false
                while index < bytes.count {
                    let byte = bytes[index]
                    index += 1
                    if byte == quote {
                        closed = true
                        break
                    }
                    if byte == backslash && index < bytes.count {
                        parameterValue.append(bytes[index])
                        index += 1
                    } else {
                        parameterValue.append(byte)
                    }
                }
                guard closed else { return nil }
                // Anything between the closing quote and the next `;` is not part of the value.
                while index < bytes.count && bytes[index] != semicolon { index += 1 }
            } else {
                let valueStart = index
                while index < bytes.count && bytes[index] != semicolon { index += 1 }
                parameterValue = Self.trimmed(bytes[valueStart..<index])
            }
            if !name.isEmpty {
                parameters.append(Parameter(name: name, value: parameterValue))
            }
        }
    }

    /// The first parameter called `name` (give it in lowercase), unquoted; nil if there is none.
    func parameter(_ name: String) -> [UInt8]? {
        parameters.first { $0.name.elementsEqual(name.utf8) }?.value
    }

    /// Whether the value before the parameters is `expected` (give it in lowercase), ignoring ASCII case.
    func valueIs(_ expected: String) -> Bool {
        Self.asciiLowercased(value).elementsEqual(expected.utf8)
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var slice = bytes
        while let first = slice.first, isWhitespace(first) { slice.removeFirst() }
        while let last = slice.last, isWhitespace(last) { slice.removeLast() }
        return Array(slice)
    }

    static func asciiLowercased(_ bytes: some Collection<UInt8>) -> [UInt8] {
        bytes.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 + 32 : $0 }
    }

    /// Header text as sent: UTF-8 when it is valid UTF-8 (what browsers send), otherwise ISO-8859-1,
    /// so an odd client's file name is still shown rather than refused.
    static func text(_ bytes: some Collection<UInt8>) -> String {
        String(validating: bytes, as: UTF8.self)
            ?? String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    /// Decodes an RFC 5987 `ext-value` such as `UTF-8''Zo%C3%AB.csv` (charset UTF-8 or ISO-8859-1);
    /// nil when it is malformed or in another charset, so the caller can fall back to the plain parameter.
    static func extendedValue(_ bytes: [UInt8]) -> String? {
        let apostrophe = UInt8(ascii: "'")
        guard let charsetEnd = bytes.firstIndex(of: apostrophe),
            let languageEnd = bytes[(charsetEnd + 1)...].firstIndex(of: apostrophe)
        else { return nil }
        var decoded: [UInt8] = []
        var index = languageEnd + 1
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]),
                    let low = hexValue(bytes[index + 2])
                else { return nil }
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(bytes[index])
                index += 1
            }
        }
        let charset = asciiLowercased(bytes[..<charsetEnd])
        if charset.elementsEqual("utf-8".utf8) {
            return String(validating: decoded, as: UTF8.self)
        }
        if charset.elementsEqual("iso-8859-1".utf8) {
            return String(String.UnicodeScalarView(decoded.map { Unicode.Scalar($0) }))
        }
        return nil
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

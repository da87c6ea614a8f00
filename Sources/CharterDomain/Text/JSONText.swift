public import Foundation

/// JSON read with Foundation's parser, its failures turned into `JSONSyntaxError`s that say where.
///
/// On Linux, `JSONSerialization` says only "Invalid value around character 16." (a byte offset from
/// 0), "Unexpected end of file during JSON parse." or "Number 1e400 is not representable in Swift.";
/// `JSONDecoder` hides even that behind "The given data was not valid JSON.". Both are turned here into
/// a line and column, and the number's field when there is one, so a sender is told what to fix.
public enum JSONText {
    /// The document `data` holds (objects as `[String: Any]`, numbers as `NSNumber`), or where it is broken.
    public static func parse(_ data: Data) throws(JSONSyntaxError) -> Any {
        do {
            return try JSONSerialization.jsonObject(with: data)
        } catch {
            throw syntaxError(
                in: data, debugDescription: (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String)
        }
    }

    /// The error for `data`, from the parser's own description of it.
    static func syntaxError(in data: Data, debugDescription: String?) -> JSONSyntaxError {
        let bytes = [UInt8](data)
        let text = debugDescription ?? ""
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            return JSONSyntaxError(reason: "the document is empty; send a JSON object, e.g. {}")
        }
        if let range = text.range(of: " around character ") {
            let offset = Int(text[range.upperBound...].prefix { $0.isNumber }) ?? 0
            let (line, column) = place(of: offset, in: bytes)
            let what = text[..<range.lowerBound]
            // What stands there, up to the end of its line, so the sender can find it.
            let rest = offset < bytes.count ? bytes[offset...].prefix(12).prefix { $0 != 0x0A && $0 != 0x0D } : []
            let found = String(decoding: rest, as: UTF8.self)
            var reason = what.prefix(1).lowercased() + what.dropFirst()
            if reason == "invalid value" { reason = "this is not a JSON value (a missing value, quote or comma?)" }
            if !found.isEmpty { reason += "; the text here starts \"\(found.excerpt(12))\"" }
            return JSONSyntaxError(line: line, column: column, reason: reason)
        }
        if text.hasPrefix("Number "), let end = text.range(of: " is not representable") {
            let number = String(text[text.index(text.startIndex, offsetBy: 7)..<end.lowerBound])
            var error = JSONSyntaxError(
                reason: "the number \(number.excerpt(24)) is out of range: it is too large to be read as a number")
            if number.utf8.count <= 1_000, let offset = firstOffset(of: Array(number.utf8), in: bytes) {
                (error.line, error.column) = place(of: offset, in: bytes)
                error.field = key(before: offset, in: bytes)
            }
            return error
        }
        if text.hasPrefix("Unexpected end of file") {
            let (line, column) = place(of: bytes.count, in: bytes)
            return JSONSyntaxError(
                line: line, column: column,
                reason: "the document ends before it is complete (a missing }, ] or closing quote?)")
        }
        return JSONSyntaxError(
            reason: "this is not valid JSON (\(text.isEmpty ? "no reason given" : text.excerpt(120)))")
    }

    /// The 1-based line and column (in characters) of byte `offset`.
    static func place(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for byte in bytes[..<min(offset, bytes.count)] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }

    /// Where `needle` first appears in `bytes` as a whole number (not inside a longer one or a string's text).
    static func firstOffset(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
        var start = 0
        while start + needle.count <= bytes.count {
            if bytes[start] == needle[0], Array(bytes[start..<start + needle.count]) == needle {
                let before = start == 0 ? 0x20 : bytes[start - 1]
                let after = start + needle.count < bytes.count ? bytes[start + needle.count] : 0x20
                let numberByte = { (b: UInt8) in
                    (b >= 48 && b <= 57) || b == 46 || b == 45 || b == 43 || b == 101 || b == 69
                }
                if !numberByte(before) && !numberByte(after) && before != 0x22 { return start }
            }
            start += 1
        }
        return nil
    }

    /// The object key written just before the value at `offset` (`"key": value`), if it is one.
    static func key(before offset: Int, in bytes: [UInt8]) -> String? {
        var index = offset - 1
        func skipSpace() { while index >= 0, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index -= 1 } }
        skipSpace()
        guard index >= 0, bytes[index] == UInt8(ascii: ":") else { return nil }
        index -= 1
        skipSpace()
        guard index >= 0, bytes[index] == 0x22 else { return nil }
        let end = index
        index -= 1
        while index >= 0, bytes[index] != 0x22 || (index > 0 && bytes[index - 1] == 0x5C) { index -= 1 }
        guard index >= 0 else { return nil }
        return String(decoding: bytes[(index + 1)..<end], as: UTF8.self).excerpt()
    }
}

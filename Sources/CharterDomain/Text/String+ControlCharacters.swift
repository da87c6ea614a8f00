extension String {
    /// The text with every control character shown as a visible escape such as `\u{1B}`, for a
    /// terminal, a page or an email (SPEC §8: "control characters in stored text are shown escaped").
    ///
    /// Text typed by an employer or a rep can hold an ESC that would drive the terminal showing it
    /// (`charterctl flags list`), a BEL, a C1 control (U+0080–U+009F, CSI among them) or a bidi
    /// override that makes a line read differently from its bytes. HTML escaping leaves all of those
    /// in place. Escaped: U+0000–U+001F except tab and line feed (a carriage return only when no line
    /// feed follows it, so CRLF line breaks from a text area stay line breaks), U+007F, U+0080–U+009F,
    /// and the bidi embeddings, overrides and isolates U+202A–U+202E, U+2066–U+2069. Text without any
    /// is returned as it is, after one pass over its bytes.
    public var escapingControlCharacters: String {
        guard utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 || $0 == 0xE2 }) else { return self }
        let scalars = Array(unicodeScalars)
        var out = String.UnicodeScalarView()
        for (index, scalar) in scalars.enumerated() {
            let lineBreak = scalar == "\r" && index + 1 < scalars.count && scalars[index + 1] == "\n"
            if Self.isShownEscaped(scalar) && !lineBreak {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out.append(contentsOf: "\\u{\(hex.count < 2 ? "0" + hex : hex)}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Whether `escapingControlCharacters` writes `scalar` as an escape (tab and line feed are kept).
    static func isShownEscaped(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A: false
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// A short piece of the text for a message that quotes input back: at most `limit` characters,
    /// with "…" when it was cut, and control characters escaped.
    ///
    /// Every error message that echoes what was sent goes through this, so a 200 MB column name or
    /// employer name is answered with a line, not with itself (SPEC §8).
    public func excerpt(_ limit: Int = 40) -> String {
        var end = startIndex
        var count = 0
        while end < endIndex, count < limit {
            formIndex(after: &end)
            count += 1
        }
        let cut = end < endIndex
        return String(self[..<end]).escapingControlCharacters + (cut ? "…" : "")
    }
}

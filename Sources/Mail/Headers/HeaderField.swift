/// One header field laid out on the wire: `Name: token token …`, folded at whitespace.
///
/// Values are handed over as tokens that must not be split (an encoded-word, `<a@b>`, a quoted
/// string, a parameter). Tokens are joined with one space; where the next token would take the line
/// past 78 characters (RFC 5322 §2.1.1's SHOULD) the space becomes CRLF + space instead. Unfolding
/// only removes the CRLF, so the value reads the same. A token longer than a line stays whole on a
/// line of its own: every token's length is bounded by validation, so the 998-octet limit holds.
struct HeaderField {
    /// The recommended line length, without CRLF.
    static let lineLimit = 78

    var name: String
    var tokens: [String]

    /// The folded field, ending in CRLF.
    var bytes: [UInt8] {
        var out = Array(name.utf8)
        out.append(UInt8(ascii: ":"))
        var column = out.count
        for (index, token) in tokens.enumerated() {
            let length = token.utf8.count
            if index == 0 || column + 1 + length <= Self.lineLimit {
                out.append(UInt8(ascii: " "))
                column += 1 + length
            } else {
                out.append(contentsOf: [0x0D, 0x0A, UInt8(ascii: " ")])
                column = 1 + length
            }
            out.append(contentsOf: token.utf8)
        }
        out.append(contentsOf: [0x0D, 0x0A])
        return out
    }

    /// The longest first token that still fits on the header's first line after `Name: `.
    static func firstTokenLimit(name: String) -> Int {
        lineLimit - name.utf8.count - 2
    }

    /// Tokens for an unstructured value (Subject, extra headers): the words as they are when the value
    /// is plain printable ASCII that folds cleanly, otherwise RFC 2047 encoded-words.
    ///
    /// Encoding is also chosen for ASCII that would not survive as plain words: runs of spaces or
    /// leading/trailing space (folding could not keep them exact), a word too long to fit a line,
    /// tabs, and anything that looks like an encoded-word (`=?`), which a reader would otherwise decode.
    static func unstructuredTokens(_ value: String, name: String) -> [String] {
        if value.isEmpty { return [] }
        let firstLimit = firstTokenLimit(name: name)
        if HeaderText.isPrintableASCII(value), !value.contains("=?"), !value.contains("  "),
            value.first != " ", value.last != " "
        {
            let words = value.split(separator: " ").map(String.init)
            if let first = words.first, first.utf8.count <= firstLimit,
                words.allSatisfy({ $0.utf8.count <= lineLimit - 1 })
            {
                return words
            }
        }
        return EncodedWord.encode(value, firstWordLimit: firstLimit)
    }
}

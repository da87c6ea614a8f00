import Foundation

/// The `filename` parameters of a `Content-Disposition: attachment` header (RFC 2183, RFC 2231).
///
/// A name that is short printable ASCII goes out as `filename="…"` alone. Any other name gets the
/// exact name as RFC 2231 `filename*=utf-8''…` percent-encoding, split into continuations
/// `filename*0*=`, `filename*1*=`, … when it would not fit a 78-character line, followed by an ASCII
/// approximation in `filename="…"` for readers that know no RFC 2231.
///
/// The exact name comes first because readers that meet both do not agree on which wins, and some
/// (Python's `email.message.Message.get_filename`, for one) take the first they see; RFC 2231-aware
/// clients prefer the starred form wherever it stands.
enum FilenameParameter {
    /// The parameter tokens (`filename…=value`), without separators.
    static func parameters(for filename: String) -> [String] {
        let plain = "filename=\"\(filename)\""
        if HeaderText.isPrintableASCII(filename), !filename.contains("\""), !filename.contains("\\"),
            plain.utf8.count + 2 <= HeaderField.lineLimit
        {
            return [plain]
        }
        return extended(filename) + ["filename=\"\(shortened(asciiFallback(filename)))\""]
    }

    /// The fallback cut to fit one 78-character line (it is only an approximation; the exact name is
    /// in `filename*`), keeping the extension so the file still opens with the right program.
    static func shortened(_ fallback: String) -> String {
        // ` filename="` and `"` around it.
        let limit = HeaderField.lineLimit - 12
        guard fallback.count > limit else { return fallback }
        var stem = Substring(fallback)
        var suffix = ""
        if let dot = fallback.lastIndex(of: "."), fallback.distance(from: dot, to: fallback.endIndex) <= 10 {
            stem = fallback[..<dot]
            suffix = String(fallback[dot...])
        }
        return String(stem.prefix(limit - suffix.count)) + suffix
    }

    /// `filename*=` or its continuations. Continuation segments are cut between characters, never
    /// inside a `%XX` triple; the charset prefix rides on the first segment only (RFC 2231 §4.1).
    static func extended(_ filename: String) -> [String] {
        let encoded = filename.map { percentEncoded(String($0)) }
        let whole = "filename*=utf-8''" + encoded.joined()
        // One space of indentation and a `;` after it must still fit the line.
        if whole.utf8.count + 2 <= HeaderField.lineLimit { return [whole] }

        var segments: [String] = []
        var current = "utf-8''"
        let segmentLimit = 60
        for piece in encoded {
            if current.utf8.count + piece.utf8.count > segmentLimit, !current.isEmpty, current != "utf-8''" {
                segments.append(current)
                current = ""
            }
            current += piece
        }
        if !current.isEmpty { segments.append(current) }
        return segments.enumerated().map { "filename*\($0.offset)*=\($0.element)" }
    }

    private static let attributeSymbols = Set("!#$&+-.^_`|~".utf8)

    /// RFC 2231 `attribute-char`s stay as they are; every other byte of the UTF-8 form becomes `%XX`.
    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                out.append(byte)
            case _ where attributeSymbols.contains(byte):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Letters that are not a base letter plus an accent, so diacritic folding leaves them alone.
    private static let unfoldable: [Character: String] = [
        "Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d", "ß": "ss", "Æ": "AE", "æ": "ae",
        "Œ": "OE", "œ": "oe", "Þ": "Th", "þ": "th",
    ]

    /// A readable ASCII stand-in: accents dropped (`â` → `a`), dashes and curly quotes made plain,
    /// anything else outside printable ASCII (and `"` and `\`, which would need escaping that not
    /// every reader undoes) replaced by `_`.
    static func asciiFallback(_ filename: String) -> String {
        var out = ""
        for character in filename {
            if let plain = unfoldable[character] {
                out += plain
                continue
            }
            let folded = String(character).folding(options: [.diacriticInsensitive], locale: nil)
            switch folded {
            case "\"", "\\":
                out += "_"
            case "\u{2013}", "\u{2014}", "\u{2212}":
                out += "-"
            case "\u{2018}", "\u{2019}":
                out += "'"
            case _ where HeaderText.isPrintableASCII(folded):
                out += folded
            default:
                out += "_"
            }
        }
        return out
    }
}

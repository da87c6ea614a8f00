/// Base64 (RFC 4648 §4) for MIME: bodies of attachments and the payload of encoded-words.
///
/// Written out here rather than taken from `Data.base64EncodedString` so the exact line layout is
/// ours (RFC 2045 §6.8: at most 76 characters a line, CRLF between lines, none after the last) and the
/// module stays byte-deterministic across platforms' Foundation versions.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The base64 text of `bytes`, padded with `=`, on one line.
    static func encode(_ bytes: some Collection<UInt8>) -> [UInt8] {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= input.count {
            let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            out.append(alphabet[Int(value >> 18 & 0x3F)])
            out.append(alphabet[Int(value >> 12 & 0x3F)])
            out.append(alphabet[Int(value >> 6 & 0x3F)])
            out.append(alphabet[Int(value & 0x3F)])
            index += 3
        }
        let rest = input.count - index
        if rest > 0 {
            let second = rest == 2 ? UInt32(input[index + 1]) : 0
            let value = UInt32(input[index]) << 16 | second << 8
            out.append(alphabet[Int(value >> 18 & 0x3F)])
            out.append(alphabet[Int(value >> 12 & 0x3F)])
            out.append(rest == 2 ? alphabet[Int(value >> 6 & 0x3F)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        return out
    }

    /// The base64 body of a MIME part: 76-character lines (57 input bytes each) joined by CRLF, with
    /// no CRLF after the last line (the boundary delimiter brings its own).
    static func encodeLines(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 57 * 78 + 80)
        var start = 0
        while start < bytes.count {
            let end = min(start + 57, bytes.count)
            if start > 0 { out.append(contentsOf: [0x0D, 0x0A]) }
            out.append(contentsOf: encode(bytes[start..<end]))
            start = end
        }
        return out
    }
}

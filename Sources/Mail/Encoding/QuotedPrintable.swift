/// Quoted-printable (RFC 2045 §6.7) for the text and HTML bodies.
///
/// Chosen over base64 for the bodies because the mail stays readable in its raw form (charter staff
/// and MTA logs look at raw digests) and keeps most lines short. The rules we keep:
/// - every encoded line is at most 76 characters; longer input lines end in a soft break `=` CRLF,
///   and an `=XX` escape is never split across it;
/// - `=`, control characters and every non-ASCII byte are escaped;
/// - a space or tab at the end of a line is escaped, because transports strip trailing whitespace;
/// - input line breaks (CRLF, LF or a lone CR) become CRLF hard breaks, so the output has no bare
///   CR or LF;
/// - a `.` or `From ` at the start of an encoded line is escaped (`=2E`, `=46rom`) so that relays
///   speaking SMTP or writing mbox files without care cannot eat the dot or add a `>`.
enum QuotedPrintable {
    /// The longest encoded line, soft-break `=` included (RFC 2045 §6.7 rule 5).
    static let lineLimit = 76

    private static let hex = Array("0123456789ABCDEF".utf8)

    /// The encoded body: lines joined by CRLF, no CRLF after the last (the boundary delimiter brings
    /// its own, so a text ending in a newline ends in an empty last line).
    static func encode(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        out.reserveCapacity(bytes.count + bytes.count / 8)
        var lineStart = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0A || byte == 0x0D {
                encodeLine(bytes[lineStart..<index], into: &out)
                out.append(0x0D)
                out.append(0x0A)
                if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
                index += 1
                lineStart = index
            } else {
                index += 1
            }
        }
        encodeLine(bytes[lineStart..<bytes.count], into: &out)
        return out
    }

    /// Encodes one input line (no line break in it) as one or more output lines joined by soft breaks.
    private static func encodeLine(_ line: ArraySlice<UInt8>, into out: inout [UInt8]) {
        // Most lines of a report are short printable ASCII with nothing to escape: copied as they are
        // (rendering ten thousand digests spent a seventh of its time here before this shortcut).
        if line.count <= lineLimit, isPlain(line) {
            out.append(contentsOf: line)
            return
        }
        let bytes = Array(line)
        // Each input byte becomes a unit: 1 character literal or 3 as an escape.
        var literal = bytes.indices.map { index -> Bool in
            let byte = bytes[index]
            switch byte {
            case 0x21...0x3C, 0x3E...0x7E: return true
            case 0x20, 0x09: return index != bytes.count - 1
            default: return false
            }
        }
        // remaining[i]: the encoded length of units i..<end, to know when the rest fits without a break.
        var remaining = [Int](repeating: 0, count: bytes.count + 1)
        for index in bytes.indices.reversed() {
            remaining[index] = remaining[index + 1] + (literal[index] ? 1 : 3)
        }

        var column = 0
        for index in bytes.indices {
            if column == 0, literal[index], startsUnsafeLine(bytes, at: index) {
                literal[index] = false
            }
            let width = literal[index] ? 1 : 3
            // Without a break the rest of the line must fit in 76; with one coming, this unit must
            // leave room for the `=`.
            let restWidth = remaining[index + 1] + width
            if column + restWidth > lineLimit, column + width > lineLimit - 1 {
                out.append(contentsOf: [UInt8(ascii: "="), 0x0D, 0x0A])
                column = 0
                if literal[index], startsUnsafeLine(bytes, at: index) { literal[index] = false }
            }
            let byte = bytes[index]
            if literal[index] {
                out.append(byte)
                column += 1
            } else {
                out.append(contentsOf: [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
                column += 3
            }
        }
    }

    /// Whether an encoded line starting with this byte would be mangled by a careless relay: a leading
    /// dot (SMTP dot-stuffing) or `From ` (mbox).
    private static func startsUnsafeLine(_ bytes: [UInt8], at index: Int) -> Bool {
        if bytes[index] == UInt8(ascii: ".") { return true }
        return bytes[index...].starts(with: fromSpace)
    }

    private static let fromSpace = Array("From ".utf8)

    /// Whether `line` needs no escape at all: printable ASCII but `=`, no space or tab at its end, and
    /// no `.` or `From ` at its start.
    private static func isPlain(_ line: ArraySlice<UInt8>) -> Bool {
        guard let first = line.first else { return true }
        if first == UInt8(ascii: ".") || line.starts(with: fromSpace) { return false }
        if let last = line.last, last == 0x20 || last == 0x09 { return false }
        return line.allSatisfy { byte in (0x20...0x7E).contains(byte) && byte != UInt8(ascii: "=") }
    }
}

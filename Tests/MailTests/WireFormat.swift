import Foundation
import Testing

/// Wire-format checks every rendered message must pass.
enum WireFormat {
    /// The lines of `bytes`, split at CRLF, or `nil` if a CR or LF appears anywhere but in a CRLF.
    static func crlfLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>]? {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case 0x0D:
                guard index + 1 < bytes.count, bytes[index + 1] == 0x0A else { return nil }
                lines.append(bytes[start..<index])
                index += 2
                start = index
            case 0x0A:
                return nil
            default:
                index += 1
            }
        }
        lines.append(bytes[start..<bytes.count])
        return lines
    }

    /// Asserts CRLF-only line ends, no line over 998 octets (RFC 5322 §2.1.1), no line ending in a
    /// space or tab, and that the message ends in CRLF.
    static func expectValid(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        guard let lines = crlfLines(bytes) else {
            Issue.record("bare CR or LF in message", sourceLocation: sourceLocation)
            return
        }
        #expect(lines.last?.isEmpty == true, "message must end in CRLF", sourceLocation: sourceLocation)
        let longest = lines.map(\.count).max() ?? 0
        #expect(longest <= 998, "line of \(longest) octets", sourceLocation: sourceLocation)
        // Relays may strip trailing whitespace, so none of ours may rely on it.
        let trailing = lines.filter { $0.last == UInt8(ascii: " ") || $0.last == UInt8(ascii: "\t") }
        #expect(trailing.isEmpty, "\(trailing.count) lines end in whitespace", sourceLocation: sourceLocation)
    }

    /// The header block of a rendered message, unfolded lines kept as they are.
    static func headerLines(_ bytes: [UInt8]) -> [String] {
        let lines = crlfLines(bytes) ?? []
        let end = lines.firstIndex(where: \.isEmpty) ?? lines.count
        return lines[..<end].map { String(decoding: $0, as: UTF8.self) }
    }

    /// The input text with every line break made CRLF, as the encoder is meant to send it.
    static func crlfNormalised(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n")
    }

    /// The input text with every line break made LF, as Python's email package returns it.
    static func lfNormalised(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }
}

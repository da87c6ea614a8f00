import Foundation
import Testing

@testable import Mail

/// A seeded generator (SplitMix64) so ids drawn in tests are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

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

    /// Asserts CRLF-only line ends, no line over 998 octets (RFC 5322 §2.1.1), and that the
    /// message ends in CRLF.
    static func expectValid(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        guard let lines = crlfLines(bytes) else {
            Issue.record("bare CR or LF in message", sourceLocation: sourceLocation)
            return
        }
        #expect(lines.last?.isEmpty == true, "message must end in CRLF", sourceLocation: sourceLocation)
        let longest = lines.map(\.count).max() ?? 0
        #expect(longest <= 998, "line of \(longest) octets", sourceLocation: sourceLocation)
    }

    /// The header block of a rendered message, unfolded lines kept as they are.
    static func headerLines(_ bytes: [UInt8]) -> [String] {
        let lines = crlfLines(bytes) ?? []
        let end = lines.firstIndex(where: \.isEmpty) ?? lines.count
        return lines[..<end].map { String(decoding: $0, as: UTF8.self) }
    }
}

/// Reverses quoted-printable, for checking the encoder round-trips; strict about malformed escapes.
enum QuotedPrintableDecoder {
    static func decode(_ encoded: [UInt8]) -> [UInt8]? {
        guard let lines = WireFormat.crlfLines(encoded) else { return nil }
        var out: [UInt8] = []
        for (number, line) in lines.enumerated() {
            var bytes = Array(line)
            var soft = false
            if bytes.last == UInt8(ascii: "=") {
                soft = true
                bytes.removeLast()
            }
            var index = 0
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "=") {
                    guard index + 2 < bytes.count,
                        let value = UInt8(String(decoding: bytes[index + 1...index + 2], as: UTF8.self), radix: 16)
                    else { return nil }
                    out.append(value)
                    index += 3
                } else {
                    out.append(bytes[index])
                    index += 1
                }
            }
            if !soft, number < lines.count - 1 { out += [0x0D, 0x0A] }
        }
        return out
    }
}

/// The input text with every line break made CRLF, as the encoder is meant to send it.
func crlfNormalised(_ text: String) -> String {
    text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        .replacingOccurrences(of: "\n", with: "\r\n")
}

/// The input text with every line break made LF, as Python's email package returns it.
func lfNormalised(_ text: String) -> String {
    text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
}

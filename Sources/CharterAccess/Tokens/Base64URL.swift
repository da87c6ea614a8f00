import Foundation

/// The URL- and cookie-safe base64 alphabet of RFC 4648 §5, without padding.
public enum Base64URL {
    /// `bytes` as base64url text without `=` padding.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        // Byte by byte rather than three `replacingOccurrences`: a flag list's cursor is written on
        // every page, and Foundation's string search showed in the flag queue's profile.
        let standard = Data(bytes).base64EncodedData()
        var text: [UInt8] = []
        text.reserveCapacity(standard.count)
        for byte in standard {
            switch byte {
            case UInt8(ascii: "+"): text.append(UInt8(ascii: "-"))
            case UInt8(ascii: "/"): text.append(UInt8(ascii: "_"))
            case UInt8(ascii: "="): break
            default: text.append(byte)
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes `text` encodes, or nil when it is not unpadded base64url.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        guard text.utf8.allSatisfy(isAlphabet), text.utf8.count % 4 != 1 else { return nil }
        var standard: [UInt8] = text.utf8.map { byte in
            switch byte {
            case UInt8(ascii: "-"): UInt8(ascii: "+")
            case UInt8(ascii: "_"): UInt8(ascii: "/")
            default: byte
            }
        }
        standard += repeatElement(UInt8(ascii: "="), count: (4 - standard.count % 4) % 4)
        return Data(base64Encoded: Data(standard)).map { [UInt8]($0) }
    }

    /// Whether `text` is exactly `length` characters of the base64url alphabet.
    static func isEncoded(_ text: some StringProtocol, length: Int) -> Bool {
        let bytes = text.utf8
        return bytes.count == length && bytes.allSatisfy(isAlphabet)
    }

    private static func isAlphabet(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }
}

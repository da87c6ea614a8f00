import Foundation

/// The URL- and cookie-safe base64 alphabet of RFC 4648 §5, without padding.
enum Base64URL {
    /// `bytes` as base64url text without `=` padding.
    static func encode(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
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

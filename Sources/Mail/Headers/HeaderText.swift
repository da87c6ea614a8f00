/// Checks shared by every header value we accept from callers.
///
/// A CR or LF in a value would end the header early and let whatever follows become a header or body
/// of its own (header injection), so it is refused outright rather than stripped: silently changing a
/// subject or name is worse than telling the caller.
enum HeaderText {
    /// Refuses CR and LF (injection) and other C0 controls and DEL (meaningless in a header); tab is
    /// allowed because it is ordinary whitespace.
    static func check(_ value: String, field: String) throws(MailError) {
        for scalar in value.unicodeScalars {
            switch scalar.value {
            case 0x0A, 0x0D:
                throw MailError(
                    .headerInjection,
                    "The \(field) holds a line break (CR or LF); header values must be a single line.")
            case 0x09:
                continue
            case 0x00...0x1F, 0x7F:
                throw MailError(.invalidHeaderValue, "The \(field) holds a control character.")
            default:
                continue
            }
        }
    }

    /// Whether every character is printable ASCII (space through tilde), so it can go on the wire as is.
    static func isPrintableASCII(_ value: String) -> Bool {
        value.utf8.allSatisfy { (0x20...0x7E).contains($0) }
    }

    private static let atextSymbols = Set("!#$%&'*+-/=?^_`{|}~".utf8)

    /// RFC 5322 `atext`: the characters of an atom.
    static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return atextSymbols.contains(byte)
        }
    }

    /// RFC 5322 `dot-atom-text`: atoms joined by single dots, no leading or trailing dot.
    static func isDotAtom(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard let first = bytes.first, let last = bytes.last, first != UInt8(ascii: "."),
            last != UInt8(ascii: ".")
        else { return false }
        var previousDot = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if previousDot { return false }
                previousDot = true
            } else {
                guard isAtext(byte) else { return false }
                previousDot = false
            }
        }
        return true
    }

    /// A host name of letter-digit-hyphen labels (RFC 1123), the only domains SMTP relays accept
    /// without surprises; internationalised domains must arrive already in their `xn--` form.
    static func isHostName(_ value: String) -> Bool {
        guard !value.isEmpty, value.utf8.count <= 253 else { return false }
        let labels = value.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            let bytes = Array(label.utf8)
            guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"),
                bytes.last != UInt8(ascii: "-")
            else { return false }
            return bytes.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                    return true
                default:
                    return false
                }
            }
        }
    }
}

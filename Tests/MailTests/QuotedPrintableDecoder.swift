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

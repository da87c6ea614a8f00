/// Turns a rendered message into the bytes sent after DATA: CRLF line endings, dot-stuffed, ending `.` CRLF.
///
/// RFC 5321 §4.5.2: a line that starts with "." gets a second one, so a line holding only "." cannot end the
/// message early; the server removes it again. Bare LF and bare CR become CRLF because SMTP lines end only in CRLF
/// (§2.3.8) and relays treat bare line ends inconsistently — one way to smuggle a second message (SMTP smuggling).
enum SMTPDataEncoding {
    /// The message as DATA content, including the terminating `CRLF . CRLF`.
    static func encode(_ message: [UInt8]) -> [UInt8] {
        let cr = UInt8(ascii: "\r")
        let lf = UInt8(ascii: "\n")
        let dot = UInt8(ascii: ".")
        var output: [UInt8] = []
        output.reserveCapacity(message.count + message.count / 50 + 5)
        var atLineStart = true
        var index = message.startIndex
        while index < message.endIndex {
            let byte = message[index]
            if atLineStart && byte == dot {
                output.append(dot)
            }
            switch byte {
            case cr:
                output.append(cr)
                output.append(lf)
                let next = message.index(after: index)
                if next < message.endIndex, message[next] == lf {
                    index = next
                }
                atLineStart = true
            case lf:
                output.append(cr)
                output.append(lf)
                atLineStart = true
            default:
                output.append(byte)
                atLineStart = false
            }
            index = message.index(after: index)
        }
        if !atLineStart {
            output.append(cr)
            output.append(lf)
        }
        output.append(contentsOf: [dot, cr, lf])
        return output
    }
}

/// What a `multipart/form-data` part says about itself: the form field it is, and the file it carries.
public struct MultipartPartHeaders: Sendable, Equatable {
    /// The form field's name, from `Content-Disposition: form-data; name="…"`.
    public var name: String
    /// The uploaded file's name as the client sent it, or nil when the part is not a file.
    ///
    /// An RFC 5987 `filename*` wins over `filename` when it can be decoded. The name is not
    /// sanitised: it may be empty (a file input left empty) or hold path separators, so never use it
    /// as a path.
    public var filename: String?
    /// The part's `Content-Type` header value, or nil when the part has none.
    public var contentType: String?

    public init(name: String, filename: String? = nil, contentType: String? = nil) {
        self.name = name
        self.filename = filename
        self.contentType = contentType
    }
}

extension MultipartPartHeaders {
    /// Reads a part's header block: header lines ending in CRLF or LF, without the blank line after them.
    ///
    /// Header names are case-insensitive, a line starting with a space or tab continues the one
    /// before (obsolete folding), and headers other than `Content-Disposition` and `Content-Type`
    /// are ignored.
    init(headerBlock: ArraySlice<UInt8>) throws(MultipartError) {
        var fields: [(name: [UInt8], value: [UInt8])] = []
        for rawLine in headerBlock.split(separator: UInt8(ascii: "\n")) {
            var line = rawLine
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            guard let first = line.first else { continue }
            if MultipartHeaderValue.isWhitespace(first), !fields.isEmpty {
                fields[fields.count - 1].value += [UInt8(ascii: " ")] + MultipartHeaderValue.trimmed(line)
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                throw MultipartError(.malformedHeader, "a part header line has no colon")
            }
            fields.append(
                (
                    MultipartHeaderValue.asciiLowercased(MultipartHeaderValue.trimmed(line[..<colon])),
                    MultipartHeaderValue.trimmed(line[(colon + 1)...])
                ))
        }
        func field(_ name: String) -> [UInt8]? {
            fields.first { $0.name.elementsEqual(name.utf8) }?.value
        }

        let missingName = MultipartError(.missingName, "a part has no Content-Disposition form-data name")
        guard let dispositionBytes = field("content-disposition") else { throw missingName }
        guard let disposition = MultipartHeaderValue(dispositionBytes) else {
            throw MultipartError(.malformedHeader, "a part's Content-Disposition has an unterminated quoted string")
        }
        guard disposition.valueIs("form-data"), let name = disposition.parameter("name") else {
            throw missingName
        }
        self.name = MultipartHeaderValue.text(name)
        filename =
            disposition.parameter("filename*").flatMap(MultipartHeaderValue.extendedValue)
            ?? disposition.parameter("filename").map(MultipartHeaderValue.text)
        contentType = field("content-type").flatMap { $0.isEmpty ? nil : MultipartHeaderValue.text($0) }
    }
}

public import Foundation

/// A file attached to a message, e.g. the CSV of the flags a digest lists.
///
/// Sent base64-encoded with `Content-Disposition: attachment`. The file name may be any text (it is
/// sent RFC 2231-encoded with an ASCII fallback) but must be a bare name — no `/` or `\`, which a
/// receiving client could take for a path — of at most 255 UTF-8 bytes, the common file-system limit.
public struct MailAttachment: Sendable, Hashable {
    /// The name the reader's client saves the file under, e.g. `Siân's flags – Q3 2026.csv`.
    public let filename: String
    /// The MIME type with parameters, e.g. `text/csv; charset=utf-8`.
    public let contentType: String
    /// The file's bytes, sent exactly (base64 keeps line ends and any encoding as they are).
    public let data: [UInt8]

    public init(filename: String, contentType: String, data: [UInt8]) throws(MailError) {
        try HeaderText.check(filename, field: "attachment file name")
        guard (1...255).contains(filename.utf8.count), !filename.contains("/"), !filename.contains("\\") else {
            throw MailError(
                .invalidFilename, "An attachment file name must be 1–255 bytes of UTF-8 with no / or \\ in it.")
        }
        try HeaderText.check(contentType, field: "attachment content type")
        guard Self.isContentType(contentType) else {
            throw MailError(
                .invalidContentType,
                "An attachment content type must be ASCII type/subtype with optional ; parameters, "
                    + "at most 200 characters.")
        }
        self.filename = filename
        self.contentType = contentType
        self.data = data
    }

    public init(filename: String, contentType: String, data: Data) throws(MailError) {
        try self.init(filename: filename, contentType: contentType, data: [UInt8](data))
    }

    /// `token/token` then anything printable: the parameters are the caller's to get right, but the
    /// media type must be there, and short enough that the header line stays far below 998 octets.
    private static func isContentType(_ value: String) -> Bool {
        guard value.utf8.count <= 200, HeaderText.isPrintableASCII(value) else { return false }
        let mediaType = value.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        let parts = mediaType.trimmingCharacters(in: .whitespaces).split(
            separator: "/", omittingEmptySubsequences: false)
        let tspecials = Array("()<>@,;:\\\"/[]?= ".utf8)
        return parts.count == 2
            && parts.allSatisfy { part in
                !part.isEmpty && part.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !tspecials.contains($0) }
            }
    }
}

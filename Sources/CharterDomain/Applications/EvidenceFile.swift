import Foundation
import ZIPFoundation

/// The kinds of evidence file an application may carry (SPEC §10 "Evidence files"), each recognised by
/// its content, never by its name or the browser's word for it.
public enum EvidenceType: String, Sendable, Hashable, CaseIterable, Codable {
    case pdf, png, jpeg, docx, xlsx, csv, text

    /// The media type it is served as (always as an attachment, `nosniff`).
    public var mediaType: String {
        switch self {
        case .pdf: "application/pdf"
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .csv: "text/csv; charset=utf-8"
        case .text: "text/plain; charset=utf-8"
        }
    }

    /// The name a person knows it by.
    public var label: String {
        switch self {
        case .pdf: "PDF"
        case .png: "PNG image"
        case .jpeg: "JPEG image"
        case .docx: "Word document (DOCX)"
        case .xlsx: "Excel workbook (XLSX)"
        case .csv: "CSV file"
        case .text: "plain text file"
        }
    }

    /// The file name endings that go with it.
    public var extensions: [String] {
        switch self {
        case .pdf: ["pdf"]
        case .png: ["png"]
        case .jpeg: ["jpg", "jpeg"]
        case .docx: ["docx"]
        case .xlsx: ["xlsx"]
        case .csv: ["csv"]
        case .text: ["txt", "text"]
        }
    }
}

/// The checks an evidence file passes before it is stored: its name, its size, and its content, which
/// must be one of `EvidenceType` and agree with the name's ending (a program renamed `report.pdf` is
/// refused).
public enum EvidenceFile {
    /// The largest file: 10 MB.
    public static let maximumBytes = 10 * 1024 * 1024
    /// The most files one application carries.
    public static let maximumFiles = 50

    /// The name to store for a browser's `filename`: its last path component, trimmed; or a problem
    /// saying what is wrong with it.
    public static func name(_ filename: String) -> Result<String, ApplicationProblem> {
        let last = filename.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let name = last.trimmingSpaces
        guard !name.isEmpty else {
            return .failure(ApplicationProblem(field: "file", "Choose a file to upload."))
        }
        if let problem = TextField.evidenceFilename.problem(with: name) {
            return .failure(ApplicationProblem(field: "file", problem.asSentence))
        }
        return .success(name)
    }

    /// What the file is, judged by its content, or the sentence refusing it: too big, empty, not one of
    /// the kinds accepted, or named as another kind.
    public static func type(of content: [UInt8], named name: String) -> Result<EvidenceType, ApplicationProblem> {
        func refuse(_ message: String) -> Result<EvidenceType, ApplicationProblem> {
            .failure(ApplicationProblem(field: "file", message))
        }
        guard !content.isEmpty else { return refuse("\(name) is empty; choose the file with the evidence in it.") }
        guard content.count <= maximumBytes else {
            return refuse(
                "\(name) is \(megabytes(content.count)); an evidence file may be at most 10 MB. "
                    + "Split it, or send a smaller copy.")
        }
        guard let type = sniff(content) else {
            return refuse(
                "\(name) is not a PDF, PNG, JPEG, Word (DOCX), Excel (XLSX), CSV or plain text file, "
                    + "judged by what is in it; nothing was stored.")
        }
        let ending =
            name.split(separator: ".").count > 1 ? name.split(separator: ".").last.map { $0.lowercased() } : nil
        let textual: Set<EvidenceType> = [.csv, .text]
        if textual.contains(type) {
            // A text file's kind is its name's: a CSV and a plain text file are both plain text inside.
            switch ending {
            case "csv": return .success(.csv)
            case "txt", "text": return .success(.text)
            default:
                return refuse(
                    "\(name) holds plain text, so its name should end in .txt or .csv; rename it and upload it again.")
            }
        }
        guard let ending, type.extensions.contains(ending) else {
            return refuse(
                "\(name) is a \(type.label) but its name ends in \(ending.map { ".\($0)" } ?? "nothing"); "
                    + "rename it to end in .\(type.extensions[0]) and upload it again.")
        }
        return .success(type)
    }

    /// The kind `content` is, by its first bytes (and, for DOCX and XLSX, the parts inside the ZIP);
    /// nil when it is none of them. Text is UTF-8 without control characters other than tab and line
    /// breaks, and not HTML.
    static func sniff(_ content: [UInt8]) -> EvidenceType? {
        if content.starts(with: Array("%PDF-".utf8)) { return .pdf }
        if content.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if content.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if content.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return officeDocument(content) }
        return isPlainText(content) ? .text : nil
    }

    /// A DOCX or XLSX: a ZIP with `[Content_Types].xml` and the main part of a Word document or an
    /// Excel workbook.
    static func officeDocument(_ content: [UInt8]) -> EvidenceType? {
        guard let archive = try? Archive(data: Data(content), accessMode: .read, pathEncoding: nil) else { return nil }
        var paths = Set<String>()
        for entry in archive { paths.insert(entry.path) }
        guard paths.contains("[Content_Types].xml") else { return nil }
        if paths.contains("word/document.xml") { return .docx }
        if paths.contains("xl/workbook.xml") { return .xlsx }
        return nil
    }

    static func isPlainText(_ content: [UInt8]) -> Bool {
        guard let text = String(validating: content, as: UTF8.self) else { return false }
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09, 0x0A, 0x0D: continue
            case 0x00...0x1F, 0x7F...0x9F: return false
            default: continue
            }
        }
        let opening = text.drop(while: { $0.isWhitespace || $0 == "\u{FEFF}" }).prefix(15).lowercased()
        return
            !(opening.hasPrefix("<!doctype") || opening.hasPrefix("<html") || opening.hasPrefix("<script")
            || opening.hasPrefix("<svg") || opening.hasPrefix("<?xml"))
    }

    /// `bytes` as a person reads a file size: `11.0 MB`.
    public static func megabytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + 524_288) / 1_048_576
        return "\(tenths / 10).\(tenths % 10) MB"
    }
}

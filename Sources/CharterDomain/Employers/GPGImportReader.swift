import Foundation

/// Reads employers out of the UK Gender Pay Gap service's CSV download, streaming.
///
/// Feed the file in chunks of any size with `consume`, then call `finish`; each good row comes
/// out through the callback as soon as it is complete, so memory is bounded by the longest row
/// (plus the ids seen, to catch repeats). Columns are found by header name in any order and
/// letter case; columns the register does not need, including ones the service adds in future
/// years, are ignored. A header without `EmployerName` or `EmployerId` is one error and no row
/// is read. Every bad row is listed in `report` with its line and column and skipped; the good
/// rows still come out, so the caller decides whether a file with errors is imported at all.
///
/// Cleaning: text is trimmed and blanks are nil; `CurrentName` wins over `EmployerName`; an
/// all-digit company number shorter than 8 digits gets back the leading zeros a spreadsheet
/// dropped; a company number that is still not valid, or that an earlier row already used, is a
/// warning and the employer comes out without one.
public struct GPGImportReader: Sendable {
    private enum Header: Sendable {
        case awaited
        case usable(width: Int, index: [GPGColumn: Int], names: [String])
        case unusable
    }

    /// Errors (rows skipped) and warnings (rows imported with a value dropped) so far.
    public private(set) var report = ValidationReport()
    /// Employers handed to the callback so far.
    public private(set) var employersRead = 0
    private var parser = CSVParser()
    private var header = Header.awaited
    private var currentRecordIsBroken = false
    private var lineOfEmployerID: [Int64: Int] = [:]
    private var lineOfCompanyNumber: [CompanyNumber: Int] = [:]

    public init() {}

    /// Reads `bytes`, calling `onEmployer` for each good row completed by them.
    public mutating func consume<Bytes: Collection<UInt8>>(
        _ bytes: Bytes, onEmployer: (GPGEmployer) throws -> Void
    ) rethrows {
        // The parser is taken out of `self` so its callbacks may change the rest of `self`.
        var parser = self.parser
        defer { self.parser = parser }
        try parser.consume(bytes, onRecord: { try self.read($0, onEmployer) }, onError: { self.note($0) })
    }

    /// Ends the input: reads the last row (a final line break is optional).
    public mutating func finish(onEmployer: (GPGEmployer) throws -> Void) rethrows {
        var parser = self.parser
        defer { self.parser = parser }
        try parser.finish(onRecord: { try self.read($0, onEmployer) }, onError: { self.note($0) })
        if case .awaited = header {
            report.error(
                "the file is empty; expected the Gender Pay Gap download with its header row"
                    + " (EmployerName, EmployerId, …)")
            header = .unusable
        }
    }

    /// Reads a whole in-memory file; for small inputs and tests.
    public static func read<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> (
        employers: [GPGEmployer], report: ValidationReport
    ) {
        var reader = GPGImportReader()
        var employers: [GPGEmployer] = []
        reader.consume(bytes) { employers.append($0) }
        reader.finish { employers.append($0) }
        return (employers, reader.report)
    }

    // MARK: - Records

    /// A syntax error belongs to the record the parser hands over next: that row is skipped.
    private mutating func note(_ error: CSVSyntaxError) {
        currentRecordIsBroken = true
        var column: String?
        switch header {
        case .unusable: return  // nothing is read any more, so nothing more is worth saying
        case .awaited: column = nil
        case .usable(_, _, let names): column = error.field <= names.count ? names[error.field - 1] : nil
        }
        report.error(line: error.line, column: column ?? "field \(error.field)", error.message)
    }

    private mutating func read(_ record: CSVRecord, _ onEmployer: (GPGEmployer) throws -> Void) rethrows {
        let broken = currentRecordIsBroken
        currentRecordIsBroken = false
        switch header {
        case .awaited:
            readHeader(record)
        case .unusable:
            return
        case .usable(let width, let index, _):
            guard !broken, let employer = employer(from: record, width: width, index: index) else { return }
            employersRead += 1
            try onEmployer(employer)
        }
    }

    private mutating func readHeader(_ record: CSVRecord) {
        var index: [GPGColumn: Int] = [:]
        var repeated: [GPGColumn] = []
        for (position, cell) in record.fields.enumerated() {
            guard let column = GPGColumn(header: cell) else { continue }
            if index[column] != nil {
                repeated.append(column)
            } else {
                index[column] = position
            }
        }
        let missing = GPGColumn.allCases.filter { $0.isRequired && index[$0] == nil }
        if !missing.isEmpty {
            report.error(
                line: record.line,
                "the header row has no \(missing.map(\.rawValue).joined(separator: " or ")) column, so no employer"
                    + " can be read; is this the Gender Pay Gap download (EmployerName, EmployerId, Address, …)?")
        }
        for column in repeated {
            report.error(
                line: record.line, column: column.rawValue,
                "the column \(column.rawValue) appears twice in the header, so it is unclear which to use")
        }
        if missing.isEmpty && repeated.isEmpty {
            let names = record.fields.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            header = .usable(width: record.fields.count, index: index, names: names)
        } else {
            header = .unusable
        }
    }

    private mutating func employer(from record: CSVRecord, width: Int, index: [GPGColumn: Int]) -> GPGEmployer? {
        guard record.fields.count == width else {
            report.error(
                line: record.line,
                "this row has \(record.fields.count) value\(record.fields.count == 1 ? "" : "s") but the header has"
                    + " \(width) columns; check for a missing or extra comma, or a quote mark that is not closed")
            return nil
        }
        func text(_ column: GPGColumn) -> String? {
            guard let position = index[column] else { return nil }
            let value = record.fields[position].trimmingCharacters(in: .whitespacesAndNewlines)
            return value.isEmpty ? nil : value
        }

        let errorsBefore = report.totalErrors
        var gpgEmployerID: Int64?
        switch text(.employerID) {
        case nil:
            report.error(
                line: record.line, column: GPGColumn.employerID.rawValue,
                "EmployerId is blank; every row needs the employer's number from the Gender Pay Gap service")
        case let value?:
            if let id = Int64(value), id > 0 {
                gpgEmployerID = id
            } else {
                report.error(
                    line: record.line, column: GPGColumn.employerID.rawValue,
                    "EmployerId \"\(value)\" is not a whole number; it must be the employer's number from the"
                        + " Gender Pay Gap service, e.g. 16879")
            }
        }
        let name = text(.currentName) ?? text(.employerName)
        if name == nil {
            report.error(
                line: record.line, column: GPGColumn.employerName.rawValue,
                "EmployerName is blank; every employer needs a name")
        }
        if let gpgEmployerID, let earlier = lineOfEmployerID[gpgEmployerID] {
            report.error(
                line: record.line, column: GPGColumn.employerID.rawValue,
                "EmployerId \(gpgEmployerID) is also on line \(earlier);"
                    + " each employer may appear only once in the file")
        }
        guard report.totalErrors == errorsBefore, let gpgEmployerID, let name else { return nil }
        lineOfEmployerID[gpgEmployerID] = record.line

        return GPGEmployer(
            line: record.line,
            gpgEmployerID: gpgEmployerID,
            name: name,
            address: text(.address),
            postcode: text(.postcode),
            companyNumber: text(.companyNumber).flatMap { companyNumber($0, line: record.line) },
            sicCodes: Self.sicCodes(text(.sicCodes) ?? ""),
            sizeBand: text(.employerSize).flatMap { $0.lowercased() == "not provided" ? nil : $0 },
            responsiblePerson: text(.responsiblePerson))
    }

    // MARK: - Values

    /// The number normalised and checked; nil (with a warning) when it cannot be used.
    private mutating func companyNumber(_ text: String, line: Int) -> CompanyNumber? {
        let column = GPGColumn.companyNumber.rawValue
        guard let number = Self.normalisedCompanyNumber(text) else {
            report.warning(
                line: line, column: column,
                "CompanyNumber \"\(text)\" is not a Companies House number (8 digits, or 2 letters and 6 digits);"
                    + " the employer is imported without one")
            return nil
        }
        // The register keeps one employer per company number.
        if let earlier = lineOfCompanyNumber[number] {
            report.warning(
                line: line, column: column,
                "CompanyNumber \(number) is also given on line \(earlier); this employer is imported without one")
            return nil
        }
        lineOfCompanyNumber[number] = line
        return number
    }

    /// Upper-cases, and left-pads an all-digit number shorter than 8 with the zeros a spreadsheet drops.
    static func normalisedCompanyNumber(_ text: String) -> CompanyNumber? {
        var candidate = text.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        if !candidate.isEmpty, candidate.count < 8, candidate.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            candidate = String(repeating: "0", count: 8 - candidate.count) + candidate
        }
        return CompanyNumber(candidate)
    }

    /// Codes separated by commas and line breaks, trimmed, blanks and repeats dropped, order kept.
    static func sicCodes(_ text: String) -> [String] {
        var seen: Set<String> = []
        var codes: [String] = []
        for piece in text.split(whereSeparator: { $0 == "," || $0.isNewline }) {
            let code = piece.trimmingCharacters(in: .whitespacesAndNewlines)
            if !code.isEmpty && seen.insert(code).inserted { codes.append(code) }
        }
        return codes
    }
}

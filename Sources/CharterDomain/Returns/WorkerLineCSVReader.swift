/// Reads a worker-line CSV as a stream: bytes in, validated worker lines out.
///
/// Feed it chunks of any size with `consume`, then call `finish`. Every problem goes into
/// `report` with its line and column (capped at 1,000 errors with the total counted); each line
/// without errors is handed to `onLine` as soon as it is complete, so a caller can send it on
/// (to a COPY) while the rest of the file is still arriving. Memory stays flat apart from what
/// the validator keeps for duplicate references and the median rate.
public struct WorkerLineCSVReader: Sendable {
    public let snapshot: CalendarDate
    private let expectedLines: Int?
    public private(set) var report = ValidationReport()
    private var parser = CSVParser()
    private var validator: WorkerLineValidator?
    private var headerFields: [String] = []
    /// Syntax errors seen since the last record: they belong to the record being read.
    private var pendingSyntaxErrors = 0
    private var sawHeader = false

    /// `expectedLines`: the header's headcount, if known, to size the reader's tables.
    public init(snapshot: CalendarDate, expectedLines: Int? = nil) {
        self.snapshot = snapshot
        self.expectedLines = expectedLines
    }

    /// Worker lines read so far, with or without errors (the header excluded).
    public var linesSeen: Int { validator?.linesSeen ?? 0 }

    /// Reads another chunk of the file.
    public mutating func consume<Bytes: Collection<UInt8>>(
        _ bytes: Bytes, onLine: (WorkerLine) throws -> Void
    ) rethrows {
        try consume(Array(bytes), onLine: onLine)
    }

    /// Reads another chunk of the file. (Concrete, so the parser is specialised for it: a generic
    /// call from another module would walk every byte through witness tables.)
    public mutating func consume(_ bytes: [UInt8], onLine: (WorkerLine) throws -> Void) rethrows {
        var records: [CSVRecord] = []
        var errors: [(error: CSVSyntaxError, beforeRecord: Int)] = []
        parser.consume(
            bytes, onRecord: { records.append($0) }, onError: { errors.append(($0, records.count)) })
        try deliver(records, errors, onLine: onLine)
    }

    /// Ends the file and adds the whole-return plausibility warnings (`headcount` from the header).
    public mutating func finish(headcount: Int?, onLine: (WorkerLine) throws -> Void) rethrows {
        var records: [CSVRecord] = []
        var errors: [(error: CSVSyntaxError, beforeRecord: Int)] = []
        parser.finish(onRecord: { records.append($0) }, onError: { errors.append(($0, records.count)) })
        try deliver(records, errors, onLine: onLine)
        if !sawHeader {
            report.error(
                line: 1, "the file is empty; it needs a header row naming the columns, then one line per worker")
            return
        }
        validator?.finish(headcount: headcount, report: &report)
    }

    /// Hands out records in order, each after the syntax errors reported while it was read.
    private mutating func deliver(
        _ records: [CSVRecord], _ errors: [(error: CSVSyntaxError, beforeRecord: Int)],
        onLine: (WorkerLine) throws -> Void
    ) rethrows {
        var nextError = 0
        for (index, record) in records.enumerated() {
            while nextError < errors.count, errors[nextError].beforeRecord <= index {
                syntaxError(errors[nextError].error)
                nextError += 1
            }
            if let line = take(record) { try onLine(line) }
        }
        while nextError < errors.count {
            syntaxError(errors[nextError].error)
            nextError += 1
        }
    }

    private mutating func syntaxError(_ error: CSVSyntaxError) {
        pendingSyntaxErrors += 1
        let column = error.field <= headerFields.count ? headerFields[error.field - 1] : nil
        report.error(line: error.line, column: column, error.message)
    }

    private mutating func take(_ record: CSVRecord) -> WorkerLine? {
        let damaged = pendingSyntaxErrors > 0
        pendingSyntaxErrors = 0
        // Taken out of `self` while it works, so its tables are not copied on every line.
        guard sawHeader, var validator = self.validator.take() else {
            sawHeader = true
            headerFields = record.fields.map { $0.trimmingSpaces.lowercased() }
            validator = WorkerLineValidator(
                header: record, snapshot: snapshot, expectedLines: expectedLines, report: &report)
            return nil
        }
        defer { self.validator = validator }
        if damaged || !validator.headerAccepted {
            // The values of a line the parser could not read cleanly are not worth checking.
            validator.skip(record)
            return nil
        }
        return validator.validate(record, report: &report)
    }
}

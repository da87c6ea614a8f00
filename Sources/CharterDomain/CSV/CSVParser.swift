/// One CSV record with the physical line it started on (1-based; the header is line 1).
public struct CSVRecord: Sendable, Hashable {
    public var line: Int
    public var fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}

/// A place in a CSV file where the text is not valid RFC 4180 or not UTF-8.
public struct CSVSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based physical line.
    public var line: Int
    /// 1-based field position within the record.
    public var field: Int
    public var message: String

    public var description: String { "line \(line), field \(field): \(message)" }
}

/// A streaming RFC 4180 parser: feed it bytes in chunks of any size, get records as they complete.
///
/// Quoted fields may hold commas, doubled quotes and line breaks; records end with CRLF or LF;
/// a UTF-8 byte-order mark at the start is skipped. Memory is bounded by the longest record, not
/// the file. Errors (bad UTF-8, a stray quote, an unterminated quoted field) are reported with
/// their line and the parser carries on where it safely can, so a file's every error is seen.
public struct CSVParser: Sendable {
    private enum State: Sendable {
        case fieldStart
        case unquoted
        case quoted
        case quoteInQuoted
        case afterCR
    }

    private var state = State.fieldStart
    private var field: [UInt8] = []
    private var fields: [String] = []
    private var line = 1
    private var recordLine = 1
    private var quotedFieldLine = 1
    private var atFileStart = true
    private var bomBytesSeen = 0
    private var fieldHadError = false

    public init() {}

    /// Parses `bytes`, calling `onRecord` for each completed record and `onError` for each problem.
    public mutating func consume<Bytes: Collection<UInt8>>(
        _ bytes: Bytes,
        onRecord: (CSVRecord) throws -> Void,
        onError: (CSVSyntaxError) throws -> Void
    ) rethrows {
        var iterator = bytes.makeIterator()
        if atFileStart {
            // Skip a UTF-8 BOM (EF BB BF), possibly split across chunks.
            let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
            while bomBytesSeen < 3 {
                guard let byte = iterator.next() else { return }
                if byte == bom[bomBytesSeen] {
                    bomBytesSeen += 1
                    continue
                }
                // Not a BOM: replay what looked like one, then this byte.
                atFileStart = false
                for earlier in bom[0..<bomBytesSeen] { try step(earlier, onRecord, onError) }
                bomBytesSeen = 3
                try step(byte, onRecord, onError)
            }
            atFileStart = false
        }
        while let byte = iterator.next() { try step(byte, onRecord, onError) }
    }

    /// Ends the input: completes the last record (a final line break is optional).
    public mutating func finish(
        onRecord: (CSVRecord) throws -> Void, onError: (CSVSyntaxError) throws -> Void
    ) rethrows {
        if atFileStart && bomBytesSeen > 0 {
            // Input ended inside what looked like a BOM: those bytes were data.
            atFileStart = false
            let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
            for earlier in bom[0..<bomBytesSeen] { try step(earlier, onRecord, onError) }
        }
        switch state {
        case .quoted:
            try onError(
                CSVSyntaxError(
                    line: quotedFieldLine, field: fields.count + 1,
                    message: "a quoted value starts here but its closing quote is missing"))
            fieldHadError = true
            try endRecord(onRecord, onError)
        case .fieldStart where fields.isEmpty:
            break  // no record in progress
        case .afterCR:
            break
        default:
            try endRecord(onRecord, onError)
        }
        state = .fieldStart
    }

    private mutating func step(
        _ byte: UInt8, _ onRecord: (CSVRecord) throws -> Void, _ onError: (CSVSyntaxError) throws -> Void
    ) rethrows {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        switch state {
        case .afterCR:
            state = .fieldStart
            if byte == lf { return }
            try step(byte, onRecord, onError)
        case .fieldStart:
            switch byte {
            case quote:
                state = .quoted
                quotedFieldLine = line
            case comma: try endField(onError)
            case cr:
                try endLine(afterCR: true, onRecord, onError)
            case lf:
                try endLine(afterCR: false, onRecord, onError)
            default:
                field.append(byte)
                state = .unquoted
            }
        case .unquoted:
            switch byte {
            case comma:
                try endField(onError)
                state = .fieldStart
            case cr:
                try endLine(afterCR: true, onRecord, onError)
            case lf:
                try endLine(afterCR: false, onRecord, onError)
            case quote:
                if !fieldHadError {
                    try onError(
                        CSVSyntaxError(
                            line: line, field: fields.count + 1,
                            message: "a quote mark appears inside a value that does not start with one;"
                                + " put the whole value in quotes and double the inner quote (\"\")"))
                }
                fieldHadError = true
                field.append(byte)
            default: field.append(byte)
            }
        case .quoted:
            if byte == quote {
                state = .quoteInQuoted
            } else {
                if byte == lf { line += 1 }
                field.append(byte)
            }
        case .quoteInQuoted:
            switch byte {
            case quote:
                field.append(quote)
                state = .quoted
            case comma:
                try endField(onError)
                state = .fieldStart
            case cr:
                try endLine(afterCR: true, onRecord, onError)
            case lf:
                try endLine(afterCR: false, onRecord, onError)
            default:
                if !fieldHadError {
                    try onError(
                        CSVSyntaxError(
                            line: line, field: fields.count + 1,
                            message: "text follows the closing quote of a value; a quoted value must end at a comma"
                                + " or the end of the line"))
                }
                fieldHadError = true
                field.append(byte)
                state = .unquoted
            }
        }
    }

    /// A line break outside quotes: the record ends and the next starts on the next line.
    private mutating func endLine(
        afterCR: Bool, _ onRecord: (CSVRecord) throws -> Void, _ onError: (CSVSyntaxError) throws -> Void
    ) rethrows {
        try endRecord(onRecord, onError)
        line += 1
        recordLine = line
        state = afterCR ? .afterCR : .fieldStart
    }

    private mutating func endField(_ onError: (CSVSyntaxError) throws -> Void) rethrows {
        if field.contains(0) {
            // Valid UTF-8, but no database text can hold it (and nobody types it on purpose).
            try onError(
                CSVSyntaxError(
                    line: recordLine, field: fields.count + 1,
                    message: "this value contains a NUL character (byte 0), which cannot be stored; remove it"))
            field.removeAll { $0 == 0 }
        }
        if let text = String(validating: field, as: UTF8.self) {
            fields.append(text)
        } else {
            try onError(
                CSVSyntaxError(
                    line: recordLine, field: fields.count + 1,
                    message: "this value is not valid UTF-8 text; save the file as CSV UTF-8"))
            fields.append(String(decoding: field, as: UTF8.self))
        }
        field.removeAll(keepingCapacity: true)
        fieldHadError = false
    }

    private mutating func endRecord(
        _ onRecord: (CSVRecord) throws -> Void, _ onError: (CSVSyntaxError) throws -> Void
    ) rethrows {
        try endField(onError)
        let record = CSVRecord(line: recordLine, fields: fields)
        fields.removeAll(keepingCapacity: true)
        // A line with nothing on it is not a record.
        if !(record.fields.count == 1 && record.fields[0].isEmpty) { try onRecord(record) }
    }
}

extension CSVParser {
    /// Parses a whole in-memory document; for small inputs and tests.
    public static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> (
        records: [CSVRecord], errors: [CSVSyntaxError]
    ) {
        var parser = CSVParser()
        var records: [CSVRecord] = []
        var errors: [CSVSyntaxError] = []
        parser.consume(bytes, onRecord: { records.append($0) }, onError: { errors.append($0) })
        parser.finish(onRecord: { records.append($0) }, onError: { errors.append($0) })
        return (records, errors)
    }
}

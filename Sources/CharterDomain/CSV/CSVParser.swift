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
/// a UTF-8 byte-order mark at the start is skipped. Memory is bounded by the limits on one value and
/// one record, not the file: a value past `maximumFieldBytes` or a record past `maximumRecordBytes` is
/// an error at its line and position, and the bytes beyond the limit are dropped as they arrive (a
/// 200 MB column name costs 4 KiB). Errors (bad UTF-8, a stray quote, an unterminated quoted field,
/// an over-long value) are reported with their line and the parser carries on where it safely can,
/// so a file's every error is seen.
public struct CSVParser: Sendable {
    /// The most bytes one value may hold by default: a worker line's longest value is a 64-character
    /// reference, an employer file's an address.
    public static let defaultMaximumFieldBytes = 4_096
    /// The most bytes one record may hold by default, separators included.
    public static let defaultMaximumRecordBytes = 16_384

    public let maximumFieldBytes: Int
    public let maximumRecordBytes: Int
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
    /// The value being read passed `maximumFieldBytes`: its error is reported, its further bytes dropped.
    private var fieldTooLong = false
    /// Bytes of the record so far (values and separators), and whether it passed `maximumRecordBytes`.
    private var recordBytes = 0
    private var recordTooLong = false

    public init(
        maximumFieldBytes: Int = Self.defaultMaximumFieldBytes,
        maximumRecordBytes: Int = Self.defaultMaximumRecordBytes
    ) {
        self.maximumFieldBytes = maximumFieldBytes
        self.maximumRecordBytes = maximumRecordBytes
    }

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
        while let byte = iterator.next() {
            // The bytes of a value already past its limit are dropped here, before the state machine: a
            // 200 MB column name is then read about as fast as the bytes arrive.
            if fieldTooLong {
                switch state {
                case .unquoted where byte != 0x2C && byte != 0x0D && byte != 0x0A && byte != 0x22: continue
                case .quoted where byte != 0x22:
                    if byte == 0x0A { line += 1 }
                    continue
                default: break
                }
            }
            try step(byte, onRecord, onError)
        }
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
                try append(byte, onError)
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
                try append(byte, onError)
            default: try append(byte, onError)
            }
        case .quoted:
            if byte == quote {
                state = .quoteInQuoted
            } else {
                if byte == lf { line += 1 }
                try append(byte, onError)
            }
        case .quoteInQuoted:
            switch byte {
            case quote:
                try append(quote, onError)
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
                try append(byte, onError)
                state = .unquoted
            }
        }
    }

    /// Adds a byte to the value being read, unless the value is already at its limit.
    @inline(__always)
    private mutating func append(_ byte: UInt8, _ onError: (CSVSyntaxError) throws -> Void) rethrows {
        if field.count < maximumFieldBytes {
            field.append(byte)
        } else if !fieldTooLong {
            fieldTooLong = true
            try onError(
                CSVSyntaxError(
                    line: recordLine, field: fields.count + 1,
                    message: "value \(fields.count + 1) of this line is longer than \(maximumFieldBytes.grouped) bytes,"
                        + " the most one value may hold; is a closing quote missing, or is this the wrong file?"))
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
        defer {
            field.removeAll(keepingCapacity: true)
            fieldHadError = false
            fieldTooLong = false
        }
        recordBytes += field.count + 1
        if recordBytes > maximumRecordBytes {
            // The values past the limit are dropped, so a line of a million commas stays small too.
            if !recordTooLong {
                recordTooLong = true
                try onError(
                    CSVSyntaxError(
                        line: recordLine, field: fields.count + 1,
                        message: "this line is longer than \(maximumRecordBytes.grouped) bytes, the most one line may"
                            + " hold; is a closing quote missing, or is this the wrong file?"))
            }
            return
        }
        if field.contains(0) {
            // Valid UTF-8, but no database text can hold it (and nobody types it on purpose).
            try onError(
                CSVSyntaxError(
                    line: recordLine, field: fields.count + 1,
                    message: "this value contains a NUL character (byte 0), which cannot be stored; remove it"))
            field.removeAll { $0 == 0 }
        }
        // ASCII is UTF-8 as it stands (nearly every value of a payroll file): `String(validating:as:)` is
        // generic over the encoding and looked up its metadata for every value (4 % of an ingest's Swift time).
        if field.allSatisfy({ $0 < 0x80 }) {
            fields.append(String(decoding: field, as: UTF8.self))
        } else if let text = String(validating: field, as: UTF8.self) {
            fields.append(text)
        } else {
            try onError(
                CSVSyntaxError(
                    line: recordLine, field: fields.count + 1,
                    message: "this value is not valid UTF-8 text; save the file as CSV UTF-8"))
            fields.append(String(decoding: field, as: UTF8.self))
        }
    }

    private mutating func endRecord(
        _ onRecord: (CSVRecord) throws -> Void, _ onError: (CSVSyntaxError) throws -> Void
    ) rethrows {
        try endField(onError)
        let record = CSVRecord(line: recordLine, fields: fields)
        fields.removeAll(keepingCapacity: true)
        recordBytes = 0
        recordTooLong = false
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

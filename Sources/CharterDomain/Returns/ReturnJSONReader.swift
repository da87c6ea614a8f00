public import Foundation

/// A return sent as one JSON document: the header and, when it has a `lines` list, the worker
/// lines, checked by the same validator as a CSV so both formats get the same answers.
public struct ReturnJSONDocument: Sendable {
    public var header: ReturnHeader?
    /// The accepted worker lines, or nil when the document has no `lines` list.
    public var lines: [WorkerLine]?
    public var report: ValidationReport
}

/// Reads a JSON return. A worker line's `line` in the report is its position in `lines` (from 1).
public enum ReturnJSONReader {
    /// Text holding a NUL character (`\u0000`) is an error where it stands (a header field, or a
    /// worker line and column): no database text can hold it, so it must not get as far as storing.
    static func reportNUL(in value: Any, path: String, line: Int?, report: inout ValidationReport) {
        if let text = value as? String, text.utf8.contains(0) {
            report.error(
                line: line, column: path.isEmpty ? nil : path,
                "this value contains a NUL character (\\u0000), which cannot be stored; remove it")
        } else if let object = value as? [String: Any] {
            for (key, item) in object.sorted(by: { $0.key < $1.key }) {
                reportNUL(in: item, path: path.isEmpty ? key : "\(path).\(key)", line: line, report: &report)
            }
        } else if let array = value as? [Any] {
            for (index, item) in array.enumerated() {
                if path == "lines", line == nil {
                    reportNUL(in: item, path: "", line: index + 1, report: &report)
                } else {
                    reportNUL(in: item, path: "\(path)[\(index)]", line: line, report: &report)
                }
            }
        }
    }

    /// The document's top-level object, or nil with an error saying where the JSON is broken or that
    /// it is not an object.
    static func root(of data: Data, report: inout ValidationReport) -> [String: Any]? {
        let object: Any
        do {
            object = try JSONText.parse(data)
        } catch {
            report.error(column: error.field, "the return is not valid JSON: \(error)")
            return nil
        }
        guard let root = object as? [String: Any] else {
            report.error(
                "the return is JSON but not an object; it must start with { and hold period, headcount, attestations")
            return nil
        }
        return root
    }

    public static func read(json data: Data) -> ReturnJSONDocument {
        var report = ValidationReport()
        guard let root = root(of: data, report: &report) else {
            return ReturnJSONDocument(header: nil, lines: nil, report: report)
        }
        reportNUL(in: root, path: "", line: nil, report: &report)
        guard report.isAccepted else { return ReturnJSONDocument(header: nil, lines: nil, report: report) }
        let header = ReturnHeaderReader.read(root, report: &report)
        guard let rawLines = root["lines"], !(rawLines is NSNull) else {
            return ReturnJSONDocument(header: header, lines: nil, report: report)
        }
        guard let list = rawLines as? [Any] else {
            report.error(column: "lines", "lines must be a list of worker lines, each an object")
            return ReturnJSONDocument(header: nil, lines: nil, report: report)
        }
        // Without a period there is no snapshot to check dates against; the header error says why.
        let snapshot =
            header?.period.snapshot ?? (root["period"] as? String).flatMap { ReportingPeriod($0) }?.snapshot
        guard let snapshot else { return ReturnJSONDocument(header: nil, lines: nil, report: report) }
        let lines = validate(list, snapshot: snapshot, headcount: header?.headcount, report: &report)
        return ReturnJSONDocument(header: report.isAccepted ? header : nil, lines: lines, report: report)
    }

    /// Turns each object into a record in the column order of `WorkerLineColumn` and validates it.
    static func validate(
        _ list: [Any], snapshot: CalendarDate, headcount: Int?, report: inout ValidationReport
    ) -> [WorkerLine] {
        let columns = WorkerLineColumn.allCases
        let header = CSVRecord(line: 0, fields: columns.map(\.rawValue))
        var validator = WorkerLineValidator(header: header, snapshot: snapshot, report: &report)
        var lines: [WorkerLine] = []
        lines.reserveCapacity(list.count)
        for (index, item) in list.enumerated() {
            let position = index + 1
            guard let fields = item as? [String: Any] else {
                report.error(line: position, "worker line \(position) is not an object of column names and values")
                validator.skip(header)
                continue
            }
            let errorsBefore = report.totalErrors
            for key in fields.keys.sorted() where WorkerLineColumn(rawValue: key) == nil {
                report.error(
                    line: position, column: key.excerpt(),
                    "\"\(key.excerpt())\" is not a worker-line column; the columns are "
                        + columns.map(\.rawValue).joined(separator: ", "))
            }
            let record = CSVRecord(line: position, fields: columns.map { text(of: fields[$0.rawValue]) })
            // A line with an unknown key has an error too, so it is not accepted either.
            if let line = validator.validate(record, report: &report), report.totalErrors == errorsBefore {
                lines.append(line)
            }
        }
        validator.finish(headcount: headcount, report: &report)
        return lines
    }

    /// The text a CSV cell would hold for a JSON value: numbers as written, booleans as true/false.
    static func text(of value: Any?) -> String {
        guard let value, !(value is NSNull) else { return "" }
        if let text = value as? String { return text }
        if ReturnHeaderReader.isJSONBool(value), let flag = value as? Bool { return flag ? "true" : "false" }
        if let number = value as? NSNumber {
            let double = number.doubleValue
            if double == double.rounded(), abs(double) < 1e15 { return String(Int64(double)) }
            // A whole number too large for an Int64 keeps its digits, so it is refused as out of range.
            if double == double.rounded(), double.isFinite { return String(format: "%.0f", double) }
            return "\(double)"
        }
        // Objects and lists cannot be a cell; show them so the error message points at them.
        return "\(value)"
    }
}

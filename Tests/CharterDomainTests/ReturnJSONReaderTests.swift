import CharterDomain
import Foundation
import Testing

/// The SPEC §3 header example with `lines` set to `linesJSON` (a JSON fragment), or with no
/// `lines` when it is nil.
private func jsonReturn(lines linesJSON: String?, headcount: Int = 3) -> String {
    var json = specHeader.replacingOccurrences(of: "\"headcount\": 412", with: "\"headcount\": \(headcount)")
    if let linesJSON {
        let end = json.range(of: "}", options: .backwards)!
        json.replaceSubrange(end, with: ", \"lines\": \(linesJSON)\n}")
    }
    return json
}

private func readJSON(_ json: String) -> ReturnJSONDocument {
    ReturnJSONReader.read(json: Data(json.utf8))
}

/// A line of `validLine` as a JSON object, values typed as JSON (`typed`) or all as strings.
private func jsonLine(_ change: [String: String] = [:], typed: Bool) -> String {
    var values = validLine
    values.merge(change) { $1 }
    let numbers: Set = [
        "hourly_rate", "overtime_rate", "contracted_hours", "avg_actual_hours_12w", "shifts_scheduled",
        "shifts_short_notice", "shifts_cancelled_short_notice", "shifts_cancelled_paid",
    ]
    let bools: Set = [
        "apprentice_first_year", "workplace_london", "zhc_by_request", "fewer_hours_by_request", "agency_parity",
    ]
    let pairs = values.keys.sorted().map { key -> String in
        let value = values[key]!
        if value.isEmpty { return "\"\(key)\": null" }
        if typed && numbers.contains(key) { return "\"\(key)\": \(value)" }
        if typed && bools.contains(key) {
            return "\"\(key)\": \(["yes", "true", "1"].contains(value.lowercased()) ? "true" : "false")"
        }
        return "\"\(key)\": \"\(value)\""
    }
    return "{" + pairs.joined(separator: ", ") + "}"
}

private let workers: [[String: String]] = [
    ["worker_ref": "A-1"],
    [
        "worker_ref": "A-2", "contract_type": "zero_hours", "contracted_hours": "0", "zhc_by_request": "yes",
        "hourly_rate": "12.6", "avg_actual_hours_12w": "14.25", "workplace_london": "yes", "overtime_rate": "18.9",
    ],
    [
        "worker_ref": "A-3", "contract_type": "apprentice", "apprentice_first_year": "yes",
        "start_date": "2026-01-05", "hourly_rate": "8.0001", "agency_parity": "no", "employment_type": "agency",
    ],
]

@Suite("JSON return")
struct ReturnJSONReaderTests {
    @Test(arguments: [true, false])
    func jsonLinesGiveTheSameWorkerLinesAsTheSameCSV(typed: Bool) throws {
        let document = readJSON(
            jsonReturn(lines: "[" + workers.map { jsonLine($0, typed: typed) }.joined(separator: ",") + "]"))
        #expect(document.report.isAccepted, "\(document.report.errors)")
        let lines = try #require(document.lines)
        #expect(document.header?.headcount == 3)

        let csv = workers.map { change -> String in
            var values = validLine
            values.merge(change) { $1 }
            return columns.map { values[$0] ?? "" }.joined(separator: ",")
        }
        var reader = WorkerLineCSVReader(snapshot: snapshot)
        var csvLines: [WorkerLine] = []
        reader.consume(Array(([columns.joined(separator: ",")] + csv).joined(separator: "\n").utf8)) {
            csvLines.append($0)
        }
        reader.finish(headcount: 3) { csvLines.append($0) }
        #expect(reader.report.isAccepted, "\(reader.report.errors)")
        #expect(lines == csvLines)
        #expect(lines.map(\.workerRef) == ["A-1", "A-2", "A-3"])
        #expect(lines[1].hourlyRate == Decimal(string: "12.6"))
        #expect(lines[1].avgActualHours12w == Decimal(string: "14.25"))
        #expect(lines[2].hourlyRate == Decimal(string: "8.0001"))
        #expect(lines[2].agencyParity == false)
        #expect(lines[1].workplaceLondon == true)
    }

    @Test func aNULCharacterIsAnErrorWhereItStands() throws {
        let all = [jsonLine(["worker_ref": "B-1"], typed: true), jsonLine(["worker_ref": "B\\u00002"], typed: true)]
        let document = readJSON(jsonReturn(lines: "[" + all.joined(separator: ",") + "]", headcount: 2))
        #expect(document.report.totalErrors == 1, "\(document.report.errors)")
        let error = try #require(document.report.errors.first)
        #expect(error.line == 2)
        #expect(error.column == "worker_ref")
        #expect(error.message.contains("NUL character"))
        #expect(document.header == nil && document.lines == nil)
    }

    @Test func anUnknownKeyIsAnErrorAtTheLinesPosition() throws {
        var second = jsonLine(typed: true)
        second.insert(contentsOf: "\"national_insurance\": \"AB123456C\", ", at: second.index(after: second.startIndex))
        let all = [jsonLine(["worker_ref": "B-1"], typed: true), second.replacingOccurrences(of: "W-001", with: "B-2")]
        let document = readJSON(jsonReturn(lines: "[" + all.joined(separator: ",") + "]", headcount: 2))
        #expect(document.report.totalErrors == 1, "\(document.report.errors)")
        let error = try #require(document.report.errors.first)
        #expect(error.line == 2)
        #expect(error.column == "national_insurance")
        #expect(error.message.contains("not a worker-line column"))
        #expect(isHelpfulSentence(error.message))
        #expect(document.header == nil)
        // The line with the error is not among the accepted lines.
        #expect(document.lines?.map(\.workerRef) == ["B-1"])
    }

    @Test func aMissingRequiredValueNamesTheColumn() throws {
        let line = jsonLine(typed: true).replacingOccurrences(of: "\"hourly_rate\": 13.45, ", with: "")
        #expect(!line.contains("hourly_rate"))
        let document = readJSON(jsonReturn(lines: "[\(line)]", headcount: 1))
        #expect(document.report.totalErrors == 1, "\(document.report.errors)")
        let error = try #require(document.report.errors.first)
        #expect(error.line == 1)
        #expect(error.column == "hourly_rate")
        #expect(error.message.contains("blank"))
        #expect(isHelpfulSentence(error.message))
        #expect(document.lines == [])
        #expect(document.header == nil)
    }

    @Test(arguments: ["{}", "\"none\"", "3", "true"])
    func linesThatAreNotAListAreAnError(value: String) throws {
        let document = readJSON(jsonReturn(lines: value))
        #expect(document.report.totalErrors == 1, "\(document.report.errors)")
        #expect(document.report.errors.first?.column == "lines")
        #expect(document.report.errors.first?.message.contains("must be a list") == true)
        #expect(document.lines == nil)
        #expect(document.header == nil)
    }

    @Test func aLineThatIsNotAnObjectIsAnErrorAtItsPosition() {
        let document = readJSON(jsonReturn(lines: "[\(jsonLine(typed: true)), [1, 2]]", headcount: 2))
        #expect(document.report.totalErrors == 1, "\(document.report.errors)")
        #expect(document.report.errors.first?.line == 2)
        #expect(document.report.errors.first?.message.contains("not an object") == true)
        #expect(document.lines?.count == 1)
    }

    @Test(arguments: [nil, "null"])
    func withoutLinesTheLinesAreNil(value: String?) throws {
        let document = readJSON(jsonReturn(lines: value, headcount: 412))
        #expect(document.report.isAccepted, "\(document.report.errors)")
        #expect(document.lines == nil)
        #expect(try #require(document.header).headcount == 412)
    }

    @Test func headerAndLineErrorsAreReportedTogether() {
        var json = jsonReturn(
            lines: "[\(jsonLine(["hourly_rate": "0"], typed: true)), \(jsonLine(["worker_ref": "Z-2"], typed: true)),"
                + " \(jsonLine(["worker_ref": "Z-3", "start_date": "soon"], typed: true))]")
        json = json.replacingOccurrences(of: "\"sick_pay_waiting_days\": 0", with: "\"sick_pay_waiting_days\": -1")
        let document = readJSON(json)
        #expect(document.report.totalErrors == 3, "\(document.report.errors)")
        #expect(
            document.report.errors.map { "\($0.line.map(String.init) ?? "-") \($0.column ?? "-")" } == [
                "- attestations.sick_pay_waiting_days", "1 hourly_rate", "3 start_date",
            ])
        #expect(document.header == nil)
        #expect(document.lines?.map(\.workerRef) == ["Z-2"])
    }

    @Test func theHeaderIsNilWhenOnlyALineIsWrong() {
        let document = readJSON(
            jsonReturn(lines: "[\(jsonLine(["contracted_hours": "101"], typed: true))]", headcount: 1))
        #expect(document.report.totalErrors == 1)
        #expect(document.report.errors.first?.column == "contracted_hours")
        #expect(document.header == nil)
    }

    @Test func theHeadcountWarningComparesWithTheJSONLines() throws {
        let lines = "[" + (1...10).map { jsonLine(["worker_ref": "H-\($0)"], typed: true) }.joined(separator: ",") + "]"
        #expect(
            readJSON(jsonReturn(lines: lines, headcount: 10)).report.warnings.allSatisfy { $0.column != "headcount" })
        let document = readJSON(jsonReturn(lines: lines, headcount: 12))
        #expect(document.report.isAccepted)
        #expect(document.header != nil)
        #expect(document.report.warnings.contains { $0.column == "headcount" && $0.message.contains("12") })
    }

    @Test func duplicateReferencesNameTheEarlierPosition() {
        let document = readJSON(
            jsonReturn(lines: "[\(jsonLine(typed: true)), \(jsonLine(typed: false))]", headcount: 2))
        #expect(document.report.totalErrors == 1)
        #expect(document.report.errors.first?.line == 2)
        #expect(document.report.errors.first?.column == "worker_ref")
        #expect(document.report.errors.first?.message.contains("also used on line 1") == true)
    }

    @Test func notJSONIsOneError() {
        let document = readJSON("worker_ref,employment_type\n")
        #expect(document.report.totalErrors == 1)
        #expect(document.report.errors.first?.message.contains("not valid JSON: line 1, column 1:") == true)
        #expect(document.header == nil)
        #expect(document.lines == nil)
    }
}

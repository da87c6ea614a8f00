import CharterDomain
import Foundation
import Testing

/// CSV text for `lines` (each a change to `validLine`, worker_ref `W-<n>` unless changed), with
/// `lineBreak` after every record.
private func workerCSV(
    _ lines: [[String: String]], header: [String] = columns, lineBreak: String = "\n"
) -> String {
    func field(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
    var csv = header.joined(separator: ",") + lineBreak
    for (index, change) in lines.enumerated() {
        var values = validLine
        values["worker_ref"] = "W-\(index + 1)"
        values.merge(change) { $1 }
        csv += header.map { field(values[$0] ?? "") }.joined(separator: ",") + lineBreak
    }
    return csv
}

/// Feeds `bytes` to a reader in chunks of `chunkSize` (the whole file when nil), then finishes it.
private func readCSV(
    _ bytes: [UInt8], chunkSize: Int? = nil, headcount: Int? = nil
) -> (lines: [WorkerLine], report: ValidationReport) {
    var reader = WorkerLineCSVReader(snapshot: snapshot)
    var lines: [WorkerLine] = []
    let size = max(chunkSize ?? bytes.count, 1)
    var start = 0
    while start < bytes.count {
        let end = min(start + size, bytes.count)
        reader.consume(bytes[start..<end]) { lines.append($0) }
        start = end
    }
    reader.finish(headcount: headcount) { lines.append($0) }
    return (lines, reader.report)
}

private func readCSV(_ text: String, chunkSize: Int? = nil, headcount: Int? = nil) -> (
    lines: [WorkerLine], report: ValidationReport
) {
    readCSV(Array(text.utf8), chunkSize: chunkSize, headcount: headcount)
}

/// A sentence a payroll clerk can read: starts with a letter or quote, has several words, no code names.
func isHelpfulSentence(_ message: String) -> Bool {
    message.split(separator: " ").count >= 4 && !message.contains("Optional(") && !message.contains("nil")
        && !message.contains("WorkerLineColumn")
}

@Suite("Worker-line CSV reader")
struct WorkerLineCSVReaderTests {
    static let threeWorkers: [[String: String]] = [
        [:],
        ["contract_type": "zero_hours", "contracted_hours": "0", "zhc_by_request": "yes", "hourly_rate": "12.60"],
        ["contract_type": "apprentice", "apprentice_first_year": "yes", "start_date": "2026-01-05", "sex": ""],
    ]

    @Test func aValidFileGivesItsLinesAndNoErrors() throws {
        let (lines, report) = readCSV(workerCSV(Self.threeWorkers), headcount: 3)
        #expect(report.isAccepted, "\(report.errors)")
        #expect(report.errors.isEmpty)
        #expect(report.warnings.isEmpty, "\(report.warnings)")
        #expect(lines.map(\.workerRef) == ["W-1", "W-2", "W-3"])
        #expect(lines[1].contractType == .zeroHours)
        #expect(lines[1].zhcByRequest == true)
        #expect(lines[1].hourlyRate == Decimal(string: "12.60"))
        #expect(lines[2].apprenticeFirstYear == true)
        #expect(lines[2].sex == nil)
    }

    @Test(arguments: [1, 7])
    func feedingTheFileInSmallChunksGivesTheSameAnswer(chunkSize: Int) {
        // Include errors, warnings and a quoted value spanning lines so every path crosses chunk edges.
        var workers = Self.threeWorkers
        workers.append(["hourly_rate": "x", "sex": "fe\r\nmale"])
        workers.append(["shifts_scheduled": "1", "shifts_short_notice": "2"])
        let bytes = [0xEF, 0xBB, 0xBF] + Array(workerCSV(workers, lineBreak: "\r\n").utf8) + [0xFF]
        let whole = readCSV(bytes, headcount: 9)
        let chunked = readCSV(bytes, chunkSize: chunkSize, headcount: 9)
        #expect(chunked.lines == whole.lines)
        #expect(chunked.report == whole.report)
        #expect(whole.lines.count == 4)
        #expect(!whole.report.errors.isEmpty)
        #expect(!whole.report.warnings.isEmpty)
    }

    @Test func aByteOrderMarkIsNotPartOfTheFirstColumnName() {
        let (lines, report) = readCSV([0xEF, 0xBB, 0xBF] + Array(workerCSV(Self.threeWorkers).utf8), headcount: 3)
        #expect(report.isAccepted, "\(report.errors)")
        #expect(lines.count == 3)
    }

    @Test(arguments: ["\n", "\r\n"])
    func crlfAndLfFilesReadTheSame(lineBreak: String) {
        let (lines, report) = readCSV(workerCSV(Self.threeWorkers, lineBreak: lineBreak), headcount: 3)
        #expect(report.isAccepted, "\(report.errors)")
        #expect(lines == readCSV(workerCSV(Self.threeWorkers)).lines)
        // No final line break either.
        let trimmed = String(workerCSV(Self.threeWorkers, lineBreak: lineBreak).dropLast(lineBreak.count))
        #expect(readCSV(trimmed).lines == lines)
    }

    @Test func aBadUTF8ByteIsAnErrorOnItsLineAndColumnAndOnlyThatLineIsHeldBack() throws {
        let text = workerCSV([[:], ["sex": "female"], [:]])
        // Corrupt "female" on the third worker line (physical line 3) into "fe\u{FF}male".
        var bytes = Array(text.utf8)
        let lineStarts = [0] + bytes.indices.filter { bytes[$0] == UInt8(ascii: "\n") }.map { $0 + 1 }
        let line3 = bytes[lineStarts[2]..<lineStarts[3]]
        let female = Array("female".utf8)
        let at = try #require(
            line3.indices.first { bytes[$0..<min($0 + female.count, bytes.count)].elementsEqual(female) })
        bytes.insert(0xFF, at: at + 2)

        let (lines, report) = readCSV(bytes, headcount: 3)
        #expect(report.totalErrors == 1, "\(report.errors)")
        let error = try #require(report.errors.first)
        #expect(error.line == 3)
        #expect(error.column == "sex")
        #expect(error.message.contains("UTF-8"))
        #expect(isHelpfulSentence(error.message))
        #expect(lines.map(\.workerRef) == ["W-1", "W-3"])
    }

    @Test(arguments: ["", "\u{FEFF}", "\n\n", "\r\n"])
    func anEmptyFileIsOneError(text: String) throws {
        let (lines, report) = readCSV(text, headcount: 10)
        #expect(lines.isEmpty)
        #expect(report.totalErrors == 1)
        let error = try #require(report.errors.first)
        #expect(error.line == 1)
        #expect(error.message.contains("empty"))
        #expect(isHelpfulSentence(error.message))
    }

    @Test func aWrongHeaderGivesTheHeaderErrorsOnlyAndNoLines() {
        let header = columns.filter { $0 != "hourly_rate" } + ["national_insurance"]
        let (lines, report) = readCSV(workerCSV(Array(repeating: [:], count: 50), header: header), headcount: 50)
        #expect(lines.isEmpty)
        #expect(report.totalErrors == 2, "\(report.errors)")
        #expect(report.errors.allSatisfy { $0.line == 1 })
        #expect(
            report.errors.contains { $0.column == "national_insurance" && $0.message.contains("not a worker-line") })
        #expect(report.errors.contains { $0.message.contains("missing required column: hourly_rate") })
        #expect(report.errors.allSatisfy { isHelpfulSentence($0.message) })
    }

    @Test func aRepeatedColumnIsAHeaderErrorAndNoLinesAreHandedOut() {
        let header = columns + ["sex"]
        let (lines, report) = readCSV(workerCSV([[:], [:]], header: header), headcount: 2)
        #expect(lines.isEmpty)
        #expect(report.totalErrors == 1, "\(report.errors)")
        #expect(report.errors.first?.line == 1)
        #expect(report.errors.first?.column == "sex")
        #expect(report.errors.first?.message.contains("appears twice") == true)
    }

    @Test func everyErrorIsListedWithItsLineAndColumn() {
        let workers: [[String: String]] = [
            [:], ["hourly_rate": "12,60"], [:], ["start_date": "31/03/2026"], [:], ["employment_type": "temp"], [:],
        ]
        let (lines, report) = readCSV(workerCSV(workers), headcount: 7)
        #expect(report.totalErrors == 3, "\(report.errors)")
        #expect(report.errors.map(\.line) == [3, 5, 7])
        #expect(report.errors.map(\.column) == ["hourly_rate", "start_date", "employment_type"])
        #expect(report.errors.allSatisfy { isHelpfulSentence($0.message) })
        #expect(lines.map(\.workerRef) == ["W-1", "W-3", "W-5", "W-7"])
    }

    @Test func fifteenHundredBadLinesAreCappedAtOneThousandWithTheTotalKept() {
        let (lines, report) = readCSV(
            workerCSV(Array(repeating: ["hourly_rate": "n/a"], count: 1_500)), chunkSize: 4_096, headcount: 1_500)
        #expect(lines.isEmpty)
        #expect(report.errors.count == 1_000)
        #expect(report.totalErrors == 1_500)
        #expect(report.unlistedErrors == 500)
        #expect(report.errors.first?.line == 2)
        #expect(report.errors.last?.line == 1_001)
    }

    @Test func quotedValuesWithCommasAndLineBreaksShiftLaterLineNumbers() {
        let workers: [[String: String]] = [
            ["sex": "fe,male"],  // line 2: one record, a comma inside quotes (wrong value, right field count)
            ["sex": "fe\nmale\n"],  // lines 3-5: a value over three physical lines
            [:],  // line 6
            ["hourly_rate": "abc"],  // line 7
            [:],  // line 8
        ]
        let (lines, report) = readCSV(workerCSV(workers), headcount: 5)
        #expect(report.errors.map(\.line) == [2, 3, 7], "\(report.errors)")
        #expect(report.errors.map(\.column) == ["sex", "sex", "hourly_rate"])
        #expect(!report.errors.contains { $0.message.contains("values but the header has") })
        #expect(lines.map(\.workerRef) == ["W-3", "W-5"])
    }

    @Test func aLineWithTooFewValuesIsAnErrorWithoutHoldingBackTheOthers() {
        let text =
            workerCSV([[:]]) + "W-2,direct\n"
            + workerCSV([[:]]).split(separator: "\n")[1]
            .replacingOccurrences(of: "W-1", with: "W-3") + "\n"
        let (lines, report) = readCSV(text, headcount: 3)
        #expect(report.totalErrors == 1)
        #expect(report.errors.first?.line == 3)
        #expect(report.errors.first?.message.contains("2 values but the header has 21 columns") == true)
        #expect(lines.map(\.workerRef) == ["W-1", "W-3"])
    }

    @Test func anUnclosedQuoteIsAnErrorOnTheLineItStarts() {
        let text = workerCSV([[:], [:]]) + "W-3,\"direct"
        let (lines, report) = readCSV(text, headcount: 3)
        #expect(report.totalErrors == 1, "\(report.errors)")
        #expect(report.errors.first?.line == 4)
        #expect(report.errors.first?.column == "employment_type")
        #expect(report.errors.first?.message.contains("closing quote") == true)
        #expect(lines.count == 2)
    }

    @Test func finishAddsTheHeadcountWarning() throws {
        let text = workerCSV(Array(repeating: [:], count: 20))
        #expect(readCSV(text, headcount: 20).report.warnings.isEmpty)
        #expect(readCSV(text, headcount: nil).report.warnings.isEmpty)
        let (lines, report) = readCSV(text, headcount: 40)
        #expect(report.isAccepted)
        #expect(lines.count == 20)
        let warning = try #require(report.warnings.first)
        #expect(warning.column == "headcount")
        #expect(warning.message.contains("40") && warning.message.contains("20 worker lines"))
        #expect(isHelpfulSentence(warning.message))
    }

    @Test func linesSeenCountsEveryDataLine() {
        var reader = WorkerLineCSVReader(snapshot: snapshot)
        let text = workerCSV([[:], ["hourly_rate": "x"], [:]])
        reader.consume(Array(text.utf8)) { _ in }
        reader.finish(headcount: 3) { _ in }
        #expect(reader.linesSeen == 3)
    }
}

/// The attacker's 200 MB column name: refused at its line, answered with a short excerpt, read in
/// bounded memory. (How fast a large upload is read is the ingest benchmark's business, not a timed test's:
/// this one took 65 s of a debug build on a loaded two-core machine once.)
@Suite("Worker-line CSV reader limits")
struct WorkerLineCSVReaderLimitTests {
    @Test func aHugeHeaderCellIsOneShortErrorAndTheReaderStaysSmall() {
        var reader = WorkerLineCSVReader(snapshot: snapshot)
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        reader.consume(Array(columns.joined(separator: ",").utf8) + Array(",".utf8)) { _ in }
        // 200 MiB streamed in 1 MiB chunks, as an upload arrives.
        for _ in 0..<200 { reader.consume(chunk) { _ in } }
        reader.consume(Array("\n".utf8) + Array(workerCSV([[:]]).split(separator: "\n")[1].utf8) + [10]) { _ in }
        reader.finish(headcount: 1) { _ in }
        let report = reader.report
        #expect(!report.isAccepted)
        let tooLong = report.errors.first { $0.message.contains("longer than 4,096 bytes") }
        #expect(tooLong?.line == 1, "\(report.errors)")
        #expect(tooLong?.message.contains("value 22 of this line") == true)
        // Every message quotes at most an excerpt of the name.
        let text = report.errors.map(\.description).joined(separator: "\n")
        #expect(text.utf8.count < 2_000, "\(text.utf8.count) bytes of errors")
        #expect(report.errors.contains { $0.message.contains("xxxxxxxx…\" is not a worker-line column") })
    }
}

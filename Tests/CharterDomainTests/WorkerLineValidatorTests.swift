import CharterDomain
import Foundation
import Testing

/// A valid direct, permanent, adult worker; each test changes one thing.
let validLine: [String: String] = [
    "worker_ref": "W-001", "employment_type": "direct", "contract_type": "permanent", "age_band": "21_plus",
    "apprentice_first_year": "", "workplace_london": "no", "hourly_rate": "13.45", "overtime_rate": "",
    "contracted_hours": "37.5", "avg_actual_hours_12w": "38", "zhc_by_request": "", "fewer_hours_by_request": "no",
    "start_date": "2024-02-01", "last_hours_review": "", "guaranteed_hours_offered": "", "shifts_scheduled": "60",
    "shifts_short_notice": "1", "shifts_cancelled_short_notice": "0", "shifts_cancelled_paid": "0",
    "agency_parity": "", "sex": "female",
]
let columns = WorkerLineColumn.allCases.map(\.rawValue)
let snapshot = CalendarDate(iso: "2026-09-30")!

/// Validates a CSV of `lines` (each a change to `validLine`), returning the report and the accepted lines.
func validate(
    _ lines: [[String: String]], header: [String] = columns, headcount: Int? = nil
) -> (ValidationReport, [WorkerLine]) {
    func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
    var csv = header.joined(separator: ",") + "\n"
    for (index, change) in lines.enumerated() {
        var values = validLine
        values["worker_ref"] = "W-\(index + 1)"
        values.merge(change) { $1 }
        csv += header.map { csvField(values[$0] ?? "") }.joined(separator: ",") + "\n"
    }
    let (records, syntax) = CSVParser.parse(Array(csv.utf8))
    #expect(syntax.isEmpty)
    var report = ValidationReport()
    var validator = WorkerLineValidator(header: records[0], snapshot: snapshot, report: &report)
    var accepted: [WorkerLine] = []
    for record in records.dropFirst() {
        if let line = validator.validate(record, report: &report) { accepted.append(line) }
    }
    validator.finish(headcount: headcount ?? lines.count, report: &report)
    return (report, accepted)
}

/// Asserts that `change` makes line 2 fail on `column` with a message containing `words`, and
/// that the valid baseline passes.
func expectRejected(
    _ change: [String: String], column: String, saying words: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    let (report, accepted) = validate([change])
    #expect(!report.isAccepted, sourceLocation: sourceLocation)
    #expect(accepted.isEmpty, sourceLocation: sourceLocation)
    let issue = report.errors.first { $0.column == column }
    #expect(issue?.line == 2, "\(report.errors)", sourceLocation: sourceLocation)
    #expect(issue?.message.contains(words) == true, "\(report.errors)", sourceLocation: sourceLocation)
}

@Suite("Worker-line validation")
struct WorkerLineValidatorTests {
    @Test func theBaselineLineIsAcceptedWithEveryValueRead() throws {
        let (report, accepted) = validate([[:]])
        #expect(report.isAccepted, "\(report.errors)")
        #expect(report.warnings.isEmpty, "\(report.warnings)")
        let line = try #require(accepted.first)
        #expect(line.workerRef == "W-1")
        #expect(line.hourlyRate == Decimal(string: "13.45"))
        #expect(line.contractedHours == Decimal(string: "37.5"))
        #expect(line.startDate == CalendarDate(iso: "2024-02-01"))
        #expect(line.sex == .female)
        #expect(line.overtimeRate == nil)
    }

    @Test func workerRefRules() {
        expectRejected(["worker_ref": ""], column: "worker_ref", saying: "blank")
        expectRejected(["worker_ref": "Jane Smith"], column: "worker_ref", saying: "may only use")
        expectRejected(["worker_ref": String(repeating: "x", count: 65)], column: "worker_ref", saying: "1 to 64")
        expectRejected(["worker_ref": "AB123456C"], column: "worker_ref", saying: "National Insurance")
        #expect(validate([["worker_ref": "emp_00.7-b"]]).0.isAccepted)
        let (report, _) = validate([["worker_ref": "W-9"], ["worker_ref": "W-9"]])
        #expect(report.errors.first?.line == 3)
        #expect(report.errors.first?.message.contains("also used on line 2") == true)
    }

    @Test func choicesAcceptAnyCaseAndNameTheirOptions() {
        expectRejected(
            ["employment_type": "freelance"], column: "employment_type", saying: "direct, agency or contractor")
        expectRejected(["contract_type": "zero hours"], column: "contract_type", saying: "zero_hours")
        expectRejected(["age_band": "18-20"], column: "age_band", saying: "under_18, 18, 19_20 or 21_plus")
        expectRejected(["sex": "x"], column: "sex", saying: "male or female")
        #expect(validate([["employment_type": "Direct", "contract_type": "PERMANENT", "sex": ""]]).0.isAccepted)
    }

    @Test func booleansAcceptTrueFalseYesNoOneZero() {
        for yes in ["true", "YES", "1", "Yes"] {
            #expect(validate([["workplace_london": yes]]).1.first?.workplaceLondon == true)
        }
        for no in ["false", "No", "0"] {
            #expect(validate([["workplace_london": no]]).1.first?.workplaceLondon == false)
        }
        expectRejected(["workplace_london": "maybe"], column: "workplace_london", saying: "yes or no")
        expectRejected(["workplace_london": ""], column: "workplace_london", saying: "blank")
    }

    @Test func conditionalBooleans() {
        expectRejected(
            ["contract_type": "apprentice", "apprentice_first_year": ""], column: "apprentice_first_year",
            saying: "blank")
        #expect(
            validate([["contract_type": "apprentice", "apprentice_first_year": "yes", "start_date": "2026-01-05"]]).0
                .isAccepted)
        expectRejected(
            ["contract_type": "zero_hours", "contracted_hours": "0", "zhc_by_request": ""], column: "zhc_by_request",
            saying: "blank")
        #expect(
            validate([["contract_type": "zero_hours", "contracted_hours": "0", "zhc_by_request": "no"]]).0.isAccepted)
    }

    @Test func moneyRules() {
        expectRejected(["hourly_rate": ""], column: "hourly_rate", saying: "blank")
        expectRejected(["hourly_rate": "£12.60"], column: "hourly_rate", saying: "no £ sign")
        expectRejected(["hourly_rate": "12,60"], column: "hourly_rate", saying: "not an amount")
        expectRejected(["hourly_rate": "0"], column: "hourly_rate", saying: "more than 0")
        expectRejected(["hourly_rate": "-1"], column: "hourly_rate", saying: "more than 0")
        expectRejected(["hourly_rate": "500.01"], column: "hourly_rate", saying: "at most 500")
        expectRejected(["hourly_rate": "12.12345"], column: "hourly_rate", saying: "4 decimal places")
        expectRejected(["overtime_rate": "lots"], column: "overtime_rate", saying: "not an amount")
        #expect(validate([["hourly_rate": "500", "overtime_rate": "20.1234"]]).0.isAccepted)
    }

    @Test func hoursRules() {
        expectRejected(["contracted_hours": ""], column: "contracted_hours", saying: "blank")
        expectRejected(["contracted_hours": "101"], column: "contracted_hours", saying: "0 to 100")
        expectRejected(["avg_actual_hours_12w": "-2"], column: "avg_actual_hours_12w", saying: "0 to 100")
        expectRejected(
            ["contract_type": "zero_hours", "zhc_by_request": "yes", "contracted_hours": "8"],
            column: "contracted_hours",
            saying: "zero_hours contract guarantees no hours")
        #expect(validate([["contracted_hours": "0", "avg_actual_hours_12w": "100"]]).0.isAccepted)
    }

    @Test func dateRules() {
        expectRejected(["start_date": ""], column: "start_date", saying: "blank")
        expectRejected(["start_date": "01/04/2025"], column: "start_date", saying: "YYYY-MM-DD")
        expectRejected(["last_hours_review": "2025-02-30"], column: "last_hours_review", saying: "YYYY-MM-DD")
        #expect(validate([["last_hours_review": "2026-06-01", "guaranteed_hours_offered": "2026-01-10"]]).0.isAccepted)
    }

    @Test func shiftCountRules() {
        expectRejected(["shifts_scheduled": ""], column: "shifts_scheduled", saying: "blank")
        expectRejected(["shifts_scheduled": "2.5"], column: "shifts_scheduled", saying: "whole number")
        expectRejected(["shifts_short_notice": "-1"], column: "shifts_short_notice", saying: "0 or more")
        expectRejected(
            ["shifts_cancelled_short_notice": "3", "shifts_cancelled_paid": "5"], column: "shifts_cancelled_paid",
            saying: "more than shifts_cancelled_short_notice")
        #expect(validate([["shifts_cancelled_short_notice": "3", "shifts_cancelled_paid": "3"]]).0.isAccepted)
    }

    @Test func headerRules() {
        let (unknown, _) = validate([[:]], header: columns + ["ni_number"])
        #expect(unknown.errors.first?.line == 1)
        #expect(unknown.errors.first?.message.contains("\"ni_number\" is not a worker-line column") == true)
        let (missing, _) = validate([[:]], header: columns.filter { $0 != "hourly_rate" && $0 != "start_date" })
        let headerErrors = missing.errors.filter { $0.line == 1 }
        #expect(headerErrors.count == 1)
        #expect(headerErrors.first?.message.contains("hourly_rate, start_date") == true)
        // Optional columns may be left out; columns may come in any order.
        let optional: Set = ["overtime_rate", "sex", "agency_parity", "last_hours_review", "guaranteed_hours_offered"]
        #expect(validate([[:]], header: columns.filter { !optional.contains($0) }.reversed()).0.isAccepted)
    }

    @Test func aLineWithTheWrongNumberOfValuesSaysSo() {
        let csv = columns.joined(separator: ",") + "\nW1,direct\n"
        let (records, _) = CSVParser.parse(Array(csv.utf8))
        var report = ValidationReport()
        var validator = WorkerLineValidator(header: records[0], snapshot: snapshot, report: &report)
        _ = validator.validate(records[1], report: &report)
        #expect(report.errors.first?.line == 2)
        #expect(report.errors.first?.message.contains("2 values but the header has 21 columns") == true)
    }

    @Test func errorsAreCappedAtOneThousandWithTheTotalKept() {
        let (report, _) = validate(Array(repeating: ["hourly_rate": "x", "start_date": "y"], count: 600))
        #expect(report.errors.count == 1_000)
        #expect(report.totalErrors == 1_200)
        #expect(report.unlistedErrors == 200)
    }
}

@Suite("Plausibility warnings")
struct PlausibilityTests {
    @Test func headcountFarFromTheLineCount() {
        let lines = Array(repeating: [String: String](), count: 20)
        #expect(validate(lines, headcount: 21).0.warnings.isEmpty)  // 4.8 % apart
        let (report, _) = validate(lines, headcount: 22)  // 9.1 % apart
        #expect(report.isAccepted)
        #expect(report.warnings.contains { $0.column == "headcount" && $0.message.contains("22") })
    }

    @Test func moreShortNoticeShiftsThanScheduled() {
        #expect(validate([["shifts_scheduled": "4", "shifts_short_notice": "4"]]).0.warnings.isEmpty)
        let (report, _) = validate([["shifts_scheduled": "4", "shifts_short_notice": "5"]])
        #expect(report.isAccepted)
        #expect(report.warnings.first?.column == "shifts_short_notice")
        #expect(report.warnings.first?.line == 2)
    }

    @Test func startDateAfterTheSnapshot() {
        #expect(validate([["start_date": "2026-09-30"]]).0.warnings.isEmpty)
        let (report, _) = validate([["start_date": "2026-10-01"]])
        #expect(report.warnings.first?.column == "start_date")
    }

    @Test func firstYearApprenticeWhoStartedOverAYearAgo() {
        let apprentice = ["contract_type": "apprentice", "apprentice_first_year": "yes"]
        #expect(validate([apprentice.merging(["start_date": "2025-09-30"]) { $1 }]).0.warnings.isEmpty)
        let (report, _) = validate([apprentice.merging(["start_date": "2025-09-29"]) { $1 }])
        #expect(report.warnings.first?.column == "apprentice_first_year")
    }

    @Test func aRateHundredTimesTheMedian() {
        var lines = Array(repeating: ["hourly_rate": "1.00"], count: 9)
        lines.append(["hourly_rate": "99.99"])
        #expect(validate(lines).0.warnings.isEmpty)
        lines[9] = ["hourly_rate": "100.00"]
        let (report, _) = validate(lines)
        #expect(report.warnings.first?.column == "hourly_rate")
        #expect(report.warnings.first?.message.contains("line") == true)
        #expect(report.warnings.first?.message.contains("11") == true)
    }

    @Test func tooManyBlankActualHours() {
        var lines = Array(repeating: [String: String](), count: 10)
        lines[0]["avg_actual_hours_12w"] = ""
        lines[1]["avg_actual_hours_12w"] = ""
        #expect(validate(lines).0.warnings.isEmpty)  // 20 % exactly
        lines[2]["avg_actual_hours_12w"] = ""
        #expect(validate(lines).0.warnings.first?.column == "avg_actual_hours_12w")
    }
}

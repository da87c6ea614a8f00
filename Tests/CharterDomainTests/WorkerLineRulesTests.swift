import CharterDomain
import Foundation
import Testing

/// One change to the valid baseline line and what the validator should say about it.
struct LineCase: Sendable, CustomTestStringConvertible {
    var change: [String: String]
    /// The column the error or warning names.
    var column: String
    /// Words the message must contain.
    var saying: String

    init(_ change: [String: String], _ column: String, _ saying: String) {
        self.change = change
        self.column = column
        self.saying = saying
    }

    var testDescription: String { "\(change.sorted { $0.key < $1.key }) → \(column)" }
}

/// The SPEC §3 coverage audit: every rule of the worker-line validator fires on a wrong value
/// (on line 2, naming the column, in a sentence) and lets the boundary value through.
@Suite("Worker-line rules at their boundaries")
struct WorkerLineRulesTests {
    static let rejected: [LineCase] = [
        // worker_ref
        LineCase(["worker_ref": ""], "worker_ref", "blank"),
        LineCase(["worker_ref": "   "], "worker_ref", "blank"),
        LineCase(["worker_ref": "W 1"], "worker_ref", "may only use letters, digits"),
        LineCase(["worker_ref": "W/1"], "worker_ref", "may only use letters, digits"),
        LineCase(["worker_ref": "Zoë-1"], "worker_ref", "may only use letters, digits"),
        LineCase(["worker_ref": String(repeating: "a", count: 65)], "worker_ref", "1 to 64 characters"),
        LineCase(["worker_ref": "AB123456C"], "worker_ref", "National Insurance number"),
        LineCase(["worker_ref": "ab123456d"], "worker_ref", "National Insurance number"),
        // Choices
        LineCase(["employment_type": ""], "employment_type", "blank; use one of direct, agency or contractor"),
        LineCase(["employment_type": "temp"], "employment_type", "is not one of direct, agency or contractor"),
        LineCase(["contract_type": ""], "contract_type", "blank"),
        LineCase(
            ["contract_type": "part_time"], "contract_type",
            "permanent, fixed_term, zero_hours, casual, apprentice, intern or volunteer"),
        LineCase(["age_band": ""], "age_band", "blank"),
        LineCase(["age_band": "21+"], "age_band", "under_18, 18, 19_20 or 21_plus"),
        LineCase(["sex": "f"], "sex", "male or female"),
        // Booleans
        LineCase(["workplace_london": ""], "workplace_london", "blank; answer yes or no"),
        LineCase(["workplace_london": "y"], "workplace_london", "true/false, yes/no or 1/0"),
        LineCase(["apprentice_first_year": "2"], "apprentice_first_year", "is not yes or no"),
        LineCase(["zhc_by_request": "n"], "zhc_by_request", "is not yes or no"),
        LineCase(["fewer_hours_by_request": "maybe"], "fewer_hours_by_request", "is not yes or no"),
        LineCase(["agency_parity": "equal"], "agency_parity", "is not yes or no"),
        LineCase(
            ["contract_type": "apprentice", "apprentice_first_year": ""], "apprentice_first_year",
            "blank; answer yes or no"),
        LineCase(
            ["contract_type": "zero_hours", "contracted_hours": "0", "zhc_by_request": ""], "zhc_by_request",
            "blank; answer yes or no"),
        // hourly_rate
        LineCase(["hourly_rate": ""], "hourly_rate", "blank; enter the hourly rate in pounds"),
        LineCase(["hourly_rate": "0"], "hourly_rate", "more than 0 and at most 500"),
        LineCase(["hourly_rate": "0.0000"], "hourly_rate", "more than 0 and at most 500"),
        LineCase(["hourly_rate": "-12.60"], "hourly_rate", "more than 0 and at most 500"),
        LineCase(["hourly_rate": "500.0001"], "hourly_rate", "more than 0 and at most 500"),
        LineCase(["hourly_rate": "1260"], "hourly_rate", "more than 0 and at most 500"),
        LineCase(["hourly_rate": "12.60001"], "hourly_rate", "more than 4 decimal places"),
        LineCase(["hourly_rate": "£12.60"], "hourly_rate", "not an amount in pounds"),
        LineCase(["hourly_rate": "12.60 GBP"], "hourly_rate", "not an amount in pounds"),
        LineCase(["hourly_rate": "1,260.00"], "hourly_rate", "not an amount in pounds"),
        LineCase(["hourly_rate": "12."], "hourly_rate", "not an amount in pounds"),
        LineCase(["hourly_rate": "1e2"], "hourly_rate", "not an amount in pounds"),
        LineCase(["hourly_rate": "12.6.0"], "hourly_rate", "not an amount in pounds"),
        // overtime_rate
        LineCase(["overtime_rate": "0"], "overtime_rate", "more than 0"),
        LineCase(["overtime_rate": "500.01"], "overtime_rate", "at most 500"),
        LineCase(["overtime_rate": "18.12345"], "overtime_rate", "more than 4 decimal places"),
        LineCase(["overtime_rate": "time and a half"], "overtime_rate", "not an amount in pounds"),
        // Hours
        LineCase(["contracted_hours": ""], "contracted_hours", "blank; enter weekly hours"),
        LineCase(["contracted_hours": "-1"], "contracted_hours", "from 0 to 100"),
        LineCase(["contracted_hours": "100.01"], "contracted_hours", "from 0 to 100"),
        LineCase(["contracted_hours": "full time"], "contracted_hours", "from 0 to 100"),
        LineCase(["avg_actual_hours_12w": "-0.5"], "avg_actual_hours_12w", "from 0 to 100"),
        LineCase(["avg_actual_hours_12w": "100.5"], "avg_actual_hours_12w", "from 0 to 100"),
        LineCase(["avg_actual_hours_12w": "n/a"], "avg_actual_hours_12w", "from 0 to 100"),
        LineCase(
            ["contract_type": "zero_hours", "zhc_by_request": "no", "contracted_hours": "0.5"], "contracted_hours",
            "a zero_hours contract guarantees no hours; enter 0"),
        // Dates
        LineCase(["start_date": ""], "start_date", "blank; enter a date like"),
        LineCase(["start_date": "2024-2-1"], "start_date", "form YYYY-MM-DD"),
        LineCase(["start_date": "01/02/2024"], "start_date", "form YYYY-MM-DD"),
        LineCase(["start_date": "2026-02-29"], "start_date", "form YYYY-MM-DD"),
        LineCase(["start_date": "2024-02-01T09:00"], "start_date", "form YYYY-MM-DD"),
        LineCase(["last_hours_review": "2026-13-01"], "last_hours_review", "form YYYY-MM-DD"),
        LineCase(["guaranteed_hours_offered": "soon"], "guaranteed_hours_offered", "form YYYY-MM-DD"),
        // Shift counts
        LineCase(["shifts_scheduled": ""], "shifts_scheduled", "blank; enter a number of shifts"),
        LineCase(["shifts_scheduled": "-1"], "shifts_scheduled", "whole number of shifts, 0 or more"),
        LineCase(["shifts_short_notice": ""], "shifts_short_notice", "blank"),
        LineCase(["shifts_short_notice": "1.5"], "shifts_short_notice", "whole number of shifts"),
        LineCase(["shifts_cancelled_short_notice": ""], "shifts_cancelled_short_notice", "blank"),
        LineCase(["shifts_cancelled_short_notice": "-2"], "shifts_cancelled_short_notice", "0 or more"),
        LineCase(["shifts_cancelled_paid": ""], "shifts_cancelled_paid", "blank"),
        LineCase(["shifts_cancelled_paid": "two"], "shifts_cancelled_paid", "whole number of shifts"),
        LineCase(
            ["shifts_cancelled_short_notice": "2", "shifts_cancelled_paid": "3"], "shifts_cancelled_paid",
            "(3) is more than shifts_cancelled_short_notice (2)"),
    ]

    @Test(arguments: rejected)
    func aWrongValueIsAnErrorOnItsLineAndColumn(_ rule: LineCase) throws {
        let (report, accepted) = validate([[:], rule.change, [:]])
        #expect(accepted.map(\.workerRef) == ["W-1", "W-3"])
        #expect(report.totalErrors == 1, "\(report.errors)")
        let error = try #require(report.errors.first)
        #expect(error.severity == .error)
        #expect(error.line == 3)
        #expect(error.column == rule.column)
        #expect(error.message.contains(rule.saying), "\(error.message)")
        #expect(isHelpfulSentence(error.message), "\(error.message)")
    }

    static let accepted: [[String: String]] = [
        ["worker_ref": "a"],
        ["worker_ref": String(repeating: "a", count: 64)],
        ["worker_ref": "A.b_c-9"],
        ["worker_ref": "AB123456E"],  // not an NI suffix letter
        ["worker_ref": "AB1234567"],
        ["worker_ref": " W-1 "],
        ["employment_type": "AGENCY", "agency_parity": "yes"],
        ["employment_type": "contractor"],
        ["contract_type": "Fixed_Term"],
        ["contract_type": "casual"],
        ["contract_type": "intern"],
        ["contract_type": "volunteer"],
        ["age_band": "under_18"],
        ["age_band": "18"],
        ["age_band": "19_20"],
        ["sex": "MALE"],
        ["sex": ""],
        ["workplace_london": "TRUE"],
        ["workplace_london": " 0 "],
        ["apprentice_first_year": "", "zhc_by_request": "", "fewer_hours_by_request": ""],
        ["contract_type": "apprentice", "apprentice_first_year": "no"],
        ["contract_type": "zero_hours", "contracted_hours": "0", "zhc_by_request": "1"],
        ["contract_type": "zero_hours", "contracted_hours": "0.00", "zhc_by_request": "false"],
        ["hourly_rate": "500"],
        ["hourly_rate": "500.0000"],
        ["hourly_rate": "0.0001"],
        ["hourly_rate": "12.6"],
        ["hourly_rate": "12.6045"],
        ["overtime_rate": ""],
        ["overtime_rate": "500"],
        ["overtime_rate": "20.1234"],
        ["contracted_hours": "0"],
        ["contracted_hours": "100"],
        ["contracted_hours": "100.00"],
        ["avg_actual_hours_12w": ""],
        ["avg_actual_hours_12w": "0"],
        ["avg_actual_hours_12w": "100"],
        ["start_date": "2028-02-29"],
        ["last_hours_review": "2026-09-30", "guaranteed_hours_offered": "2026-01-01"],
        [
            "shifts_scheduled": "0", "shifts_short_notice": "0", "shifts_cancelled_short_notice": "0",
            "shifts_cancelled_paid": "0",
        ],
        ["shifts_cancelled_short_notice": "7", "shifts_cancelled_paid": "7"],
        ["agency_parity": "no"],
    ]

    @Test(arguments: accepted)
    func theBoundaryValueIsAccepted(_ change: [String: String]) {
        let (report, lines) = validate([change])
        #expect(report.isAccepted, "\(report.errors)")
        #expect(lines.count == 1)
    }

    @Test func valuesAreReadAsWritten() throws {
        let line = try #require(
            validate([
                [
                    "worker_ref": " W-1 ", "hourly_rate": "12.6045", "overtime_rate": "500",
                    "employment_type": "AGENCY",
                    "agency_parity": "yes", "sex": "", "contracted_hours": "16.5",
                ]
            ]).1.first)
        #expect(line.workerRef == "W-1")
        #expect(line.hourlyRate == Decimal(string: "12.6045"))
        #expect(line.overtimeRate == 500)
        #expect(line.employmentType == .agency)
        #expect(line.agencyParity == true)
        #expect(line.sex == nil)
        #expect(line.contractedHours == Decimal(string: "16.5"))
    }

    @Test func aDuplicateReferenceNamesTheFirstLineAndTheSecondIsHeldBack() throws {
        let (report, lines) = validate([["worker_ref": "R-7"], [:], ["worker_ref": "R-7"], ["worker_ref": "r-7"]])
        #expect(report.totalErrors == 1, "\(report.errors)")
        let error = try #require(report.errors.first)
        #expect(error.line == 4)
        #expect(error.column == "worker_ref")
        #expect(error.message.contains("\"R-7\" is also used on line 2"))
        #expect(isHelpfulSentence(error.message))
        #expect(lines.map(\.workerRef) == ["R-7", "W-2", "r-7"])
    }

    @Test func everyErrorOnOneLineIsListed() {
        let (report, lines) = validate([
            ["hourly_rate": "", "start_date": "x", "age_band": "adult", "shifts_scheduled": "-1"]
        ])
        #expect(lines.isEmpty)
        #expect(Set(report.errors.map(\.column)) == ["hourly_rate", "start_date", "age_band", "shifts_scheduled"])
        #expect(report.errors.allSatisfy { $0.line == 2 })
    }

    @Test(arguments: [1, 20, 22])
    func aLineWithTheWrongNumberOfValuesIsOneError(values: Int) throws {
        let csv =
            columns.joined(separator: ",") + "\n"
            + (1...values).map { $0 == 1 ? "W-1" : "" }.joined(separator: ",") + "\n"
        let (records, _) = CSVParser.parse(Array(csv.utf8))
        var report = ValidationReport()
        var validator = WorkerLineValidator(header: records[0], snapshot: snapshot, report: &report)
        #expect(validator.validate(records[1], report: &report) == nil)
        #expect(report.totalErrors == 1)
        let error = try #require(report.errors.first)
        #expect(error.line == 2)
        #expect(error.message.contains("\(values) value\(values == 1 ? "" : "s") but the header has 21 columns"))
        #expect(error.message.contains("missing or extra comma"))
    }
}

/// The plausibility warnings of SPEC §3: each fires just past its threshold, not at it, and never
/// rejects the return.
@Suite("Plausibility warnings at their boundaries")
struct PlausibilityBoundaryTests {
    static let warned: [LineCase] = [
        LineCase(["shifts_scheduled": "4", "shifts_short_notice": "5"], "shifts_short_notice", "is more than"),
        LineCase(["shifts_scheduled": "0", "shifts_short_notice": "1"], "shifts_short_notice", "is more than"),
        LineCase(["start_date": "2026-10-01"], "start_date", "after the snapshot date 2026-09-30"),
        LineCase(
            ["contract_type": "apprentice", "apprentice_first_year": "yes", "start_date": "2025-09-29"],
            "apprentice_first_year", "over a year before the snapshot"),
    ]

    @Test(arguments: warned)
    func aLineWarningNamesItsLineAndColumn(_ rule: LineCase) throws {
        let (report, lines) = validate([[:], rule.change])
        #expect(report.isAccepted, "\(report.errors)")
        #expect(lines.count == 2)
        #expect(report.warnings.count == 1, "\(report.warnings)")
        let warning = try #require(report.warnings.first)
        #expect(warning.severity == .warning)
        #expect(warning.line == 3)
        #expect(warning.column == rule.column)
        #expect(warning.message.contains(rule.saying), "\(warning.message)")
        #expect(isHelpfulSentence(warning.message), "\(warning.message)")
    }

    static let quiet: [[String: String]] = [
        ["shifts_scheduled": "5", "shifts_short_notice": "5"],
        ["shifts_scheduled": "0", "shifts_short_notice": "0"],
        ["start_date": "2026-09-30"],
        ["contract_type": "apprentice", "apprentice_first_year": "yes", "start_date": "2025-09-30"],
        ["contract_type": "apprentice", "apprentice_first_year": "no", "start_date": "2019-01-01"],
        // Only meaningful for apprentices.
        ["contract_type": "permanent", "apprentice_first_year": "yes", "start_date": "2019-01-01"],
    ]

    @Test(arguments: quiet)
    func atTheBoundaryThereIsNoWarning(_ change: [String: String]) {
        let (report, _) = validate([[:], change])
        #expect(report.isAccepted, "\(report.errors)")
        #expect(report.warnings.isEmpty, "\(report.warnings)")
    }

    /// (worker lines, header headcount, warned): more than 5 % apart, of the headcount, either way.
    static let headcounts: [(Int, Int, Bool)] = [
        (100, 100, false), (105, 100, false), (106, 100, true), (95, 100, false), (94, 100, true),
        (21, 20, false), (22, 20, true), (1, 2, true),
    ]

    @Test(arguments: headcounts)
    func headcountAgainstTheLineCount(lines: Int, headcount: Int, warned: Bool) throws {
        let (report, _) = validate(Array(repeating: [:], count: lines), headcount: headcount)
        #expect(report.isAccepted)
        let warnings = report.warnings.filter { $0.column == "headcount" }
        #expect(warnings.count == (warned ? 1 : 0), "\(report.warnings)")
        if warned {
            let warning = try #require(warnings.first)
            #expect(warning.line == nil)
            #expect(warning.message.contains("headcount is \(headcount)"))
            #expect(warning.message.contains("\(lines) worker lines"))
            #expect(isHelpfulSentence(warning.message))
        }
    }

    @Test func aHeadcountOfZeroWithWorkerLinesIsWarned() throws {
        let (report, _) = validate(Array(repeating: [:], count: 3), headcount: 0)
        #expect(report.isAccepted)
        let warning = try #require(report.warnings.first { $0.column == "headcount" }, "\(report.warnings)")
        #expect(warning.message.contains("headcount is 0"))
        #expect(warning.message.contains("3 worker lines"))
        #expect(isHelpfulSentence(warning.message))
    }

    @Test func aHeadcountOfZeroWithNoLinesIsQuiet() {
        var report = ValidationReport()
        let header = CSVRecord(line: 1, fields: columns)
        let validator = WorkerLineValidator(header: header, snapshot: snapshot, report: &report)
        validator.finish(headcount: 0, report: &report)
        #expect(report.warnings.isEmpty, "\(report.warnings)")
    }

    /// (blank avg_actual_hours_12w, of lines, warned): more than 20 %.
    static let blanks: [(Int, Int, Bool)] = [
        (0, 10, false), (2, 10, false), (3, 10, true), (20, 100, false), (21, 100, true), (1, 1, true),
    ]

    @Test(arguments: blanks)
    func blankActualHoursShare(blank: Int, of total: Int, warned: Bool) throws {
        let lines = (0..<total).map { $0 < blank ? ["avg_actual_hours_12w": ""] : [:] }
        let (report, _) = validate(lines)
        #expect(report.isAccepted)
        let warnings = report.warnings.filter { $0.column == "avg_actual_hours_12w" }
        #expect(warnings.count == (warned ? 1 : 0), "\(report.warnings)")
        if warned {
            let warning = try #require(warnings.first)
            #expect(warning.message.contains("blank on \(blank) of \(total) lines"))
            #expect(isHelpfulSentence(warning.message))
        }
    }

    @Test func leavingOutTheActualHoursColumnCountsEveryLineAsBlank() {
        let (report, _) = validate([[:], [:]], header: columns.filter { $0 != "avg_actual_hours_12w" })
        #expect(report.isAccepted)
        #expect(report.warnings.contains { $0.column == "avg_actual_hours_12w" && $0.message.contains("2 of 2") })
    }

    /// (the other nine rates, the odd one, warned): 100 times the median or more.
    static let rates: [(String, String, Bool)] = [
        ("1.00", "99.99", false), ("1.00", "100.00", true), ("0.50", "50", true), ("0.50", "49.9999", false),
        ("0.1234", "12.34", true), ("0.1234", "12.33", false), ("0.1234", "12.3399", false),
        ("0.0001", "0.01", true), ("0.0001", "0.0099", false),
    ]

    @Test(arguments: rates)
    func aRateHundredTimesTheMedian(usual: String, odd: String, warned: Bool) throws {
        var lines = Array(repeating: ["hourly_rate": usual], count: 9)
        lines.insert(["hourly_rate": odd], at: 4)
        let (report, _) = validate(lines)
        #expect(report.isAccepted, "\(report.errors)")
        let warnings = report.warnings.filter { $0.column == "hourly_rate" }
        #expect(warnings.count == (warned ? 1 : 0), "\(report.warnings)")
        if warned {
            let warning = try #require(warnings.first)
            #expect(warning.message.contains("1 hourly rate is 100 times the median or more (lines 6)"))
            #expect(warning.message.contains("pence entered as pounds"))
            #expect(isHelpfulSentence(warning.message))
        }
    }

    @Test func warningsNeverRejectAndEveryOneIsListed() {
        var lines = Array(repeating: ["hourly_rate": "1.00"], count: 8)
        lines += [
            ["hourly_rate": "150", "start_date": "2027-01-01", "avg_actual_hours_12w": ""],
            ["shifts_scheduled": "1", "shifts_short_notice": "9", "avg_actual_hours_12w": ""],
            ["avg_actual_hours_12w": ""],
        ]
        let (report, accepted) = validate(lines, headcount: 20)
        #expect(report.isAccepted)
        #expect(accepted.count == 11)
        #expect(
            Set(report.warnings.map(\.column)) == [
                "start_date", "shifts_short_notice", "headcount", "avg_actual_hours_12w", "hourly_rate",
            ])
    }
}

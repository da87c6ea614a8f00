import CharterDomain
import Foundation
import Testing

/// Numbers and dates a database column cannot hold (or no person means) are refused in the domain with
/// their line and column or field, before anything reaches the database.
@Suite("Return values out of range")
struct ReturnRangeTests {
    @Test func shiftCountsAreTakenUpTo10000AndRefusedAboveNamingLineAndColumn() {
        let columns = [
            "shifts_scheduled", "shifts_short_notice", "shifts_cancelled_short_notice", "shifts_cancelled_paid",
        ]
        for column in columns {
            var change = ["shifts_scheduled": "10000", "shifts_short_notice": "10000"]
            change["shifts_cancelled_short_notice"] = "10000"
            change["shifts_cancelled_paid"] = "10000"
            let (accepted, _) = validate([change])
            #expect(accepted.isAccepted, "\(accepted.errors)")
            for value in ["10001", "2147483647", "2147483648", "99999999999999999999999"] {
                var over = change
                over[column] = value
                expectRejected(over, column: column, saying: "is out of range: a line counts 0 to 10,000 shifts")
            }
        }
    }

    @Test func aHugeShiftCountIsQuotedAsAnExcerpt() {
        let (report, _) = validate([["shifts_scheduled": String(repeating: "9", count: 1_000)]])
        let message = report.errors.first?.message ?? ""
        #expect(message.contains(String(repeating: "9", count: 40) + "…"))
        #expect(message.count < 200)
    }

    @Test func datesOutsideTheYears1900To2100AreRefusedNamingTheColumn() {
        for column in ["start_date", "last_hours_review", "guaranteed_hours_offered"] {
            expectRejected([column: "1899-12-31"], column: column, saying: "outside the dates this service accepts")
            expectRejected([column: "2101-01-01"], column: column, saying: "1900-01-01 to 2100-12-31")
            // Year 0 is no date at all (PostgreSQL has none).
            expectRejected([column: "0000-01-01"], column: column, saying: "not a date")
        }
        let (report, accepted) = validate([["start_date": "1900-01-01", "last_hours_review": "2100-12-31"]])
        #expect(report.isAccepted && accepted.count == 1, "\(report.errors)")
    }

    @Test func yearZeroIsNoCalendarDate() {
        #expect(CalendarDate(iso: "0000-01-01") == nil)
        #expect(CalendarDate(iso: "0001-01-01") != nil)
        #expect(CalendarDate(iso: "1900-01-01")?.implausibility(field: "x") == nil)
        #expect(CalendarDate(iso: "2100-12-31")?.implausibility(field: "x") == nil)
        #expect(CalendarDate(iso: "2101-01-01")?.implausibility(field: "x") != nil)
    }

    @Test func headerCountsAreTakenUpToTheirBoundAndRefusedAboveNamingTheField() {
        let cases: [(old: String, field: String, path: String, top: Int)] = [
            ("\"headcount\": 412", "headcount", "headcount", 9_999_999),
            ("\"apprentices\": 3", "apprentices", "attestations.apprentices", 9_999_999),
            ("\"work_placements\": 2", "work_placements", "attestations.work_placements", 9_999_999),
            ("\"sick_pay_waiting_days\": 0", "sick_pay_waiting_days", "attestations.sick_pay_waiting_days", 365),
            ("\"workers\": 12", "workers", "contractors[1].workers", 9_999_999),
            ("\"consecutive_weeks\": 52", "consecutive_weeks", "contractors[1].consecutive_weeks", 9_999_999),
        ]
        for (old, field, path, top) in cases {
            let (atTop, topReport) = readHeader(specHeader(replacing: old, with: "\"\(field)\": \(top)"))
            #expect(atTop != nil, "\(field) \(top): \(topReport.errors)")
            for value in ["\(top + 1)", "2147483648", "3000000000", "1e300"] {
                let (header, report) = readHeader(specHeader(replacing: old, with: "\"\(field)\": \(value)"))
                #expect(header == nil)
                let issue = report.errors.first { $0.column == path }
                #expect(issue?.message.contains("is out of range") == true, "\(path) \(value): \(report.errors)")
            }
        }
    }

    @Test func headerDatesOutsideThePlausibleRangeAreRefusedNamingTheField() {
        let (header, report) = readHeader(
            specHeader(replacing: "\"milestone\": \"2027-04-01\"", with: "\"milestone\": \"2999-04-01\""))
        #expect(header == nil)
        #expect(
            report.errors.first { $0.column == "contractors[1].milestone" }?.message.contains("outside the dates")
                == true)
        let (yearZero, zeroReport) = readHeader(
            specHeader(
                replacing: "\"equality_audit_on\": \"2025-11-15\"", with: "\"equality_audit_on\": \"0000-11-15\""))
        #expect(yearZero == nil)
        #expect(zeroReport.errors.first?.column == "attestations.equality_audit_on")
    }

    @Test func aContractorsSupplierAndServiceHaveLimits() {
        let long = String(repeating: "S", count: 201)
        let (header, report) = readHeader(
            specHeader(replacing: "\"supplier\": \"Brightclean Ltd\"", with: "\"supplier\": \"\(long)\""))
        #expect(header == nil)
        #expect(report.errors.first { $0.column == "contractors[1].supplier" }?.message.contains("at most 200") == true)
        let (escaped, escapedReport) = readHeader(
            specHeader(replacing: "\"service\": \"cleaning\"", with: "\"service\": \"clean\\u001b[2Jing\""))
        #expect(escaped == nil)
        #expect(
            escapedReport.errors.first { $0.column == "contractors[1].service" }?.message.contains("\\u{1B}") == true)
    }

    @Test func aNumberTooLargeToParseIsNamedWithItsLineAndColumn() {
        let document = ReturnJSONReader.read(
            json: Data(specHeader(replacing: "\"headcount\": 412", with: "\"headcount\": 1e400").utf8))
        #expect(document.header == nil)
        let issue = document.report.errors.first
        #expect(issue?.column == "headcount")
        #expect(issue?.message.contains("line 3, column 16") == true, "\(document.report.errors)")
        #expect(issue?.message.contains("out of range") == true)
    }

    @Test func aJSONWorkerLineWithAHugeShiftCountIsOutOfRangeOnItsLine() {
        let json = specHeader.replacingOccurrences(of: "\"headcount\": 412", with: "\"headcount\": 1")
            .replacingOccurrences(
                of: "\n}", with: ", \"lines\": [" + jsonObject(["shifts_scheduled": "3000000000"]) + "]\n}")
        let document = ReturnJSONReader.read(json: Data(json.utf8))
        let issue = document.report.errors.first { $0.column == "shifts_scheduled" }
        #expect(issue?.line == 1)
        #expect(issue?.message.contains("3000000000 is out of range") == true, "\(document.report.errors)")
    }

    /// `validLine` with `change`, shift counts as JSON numbers.
    func jsonObject(_ change: [String: String]) -> String {
        var values = validLine
        values.merge(change) { $1 }
        let pairs = values.keys.sorted().map { key -> String in
            let value = values[key]!
            if value.isEmpty { return "\"\(key)\": null" }
            if key.hasPrefix("shifts_") { return "\"\(key)\": \(value)" }
            return "\"\(key)\": \"\(value)\""
        }
        return "{" + pairs.joined(separator: ", ") + "}"
    }
}

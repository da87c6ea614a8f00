import CharterDomain
import Testing

@Suite("Validation report")
struct ValidationReportTests {
    @Test func mergingKeepsTheCapAndTheExactTotal() {
        var first = ValidationReport()
        for line in 1...900 { first.error(line: line, "first") }
        first.warning(column: "headcount", "a warning")
        var second = ValidationReport()
        for line in 1...1_500 { second.error(line: line, column: "hourly_rate", "second") }
        second.warning(line: 4, column: "start_date", "another warning")
        first.merge(second)
        #expect(first.errors.count == 1_000)
        #expect(first.totalErrors == 2_400)
        #expect(first.unlistedErrors == 1_400)
        #expect(first.errors[899].message == "first")
        #expect(first.errors[900] == ReturnIssue(.error, line: 1, column: "hourly_rate", "second"))
        #expect(first.warnings.map(\.column) == ["headcount", "start_date"])
        #expect(!first.isAccepted)
    }

    @Test func mergingAnAcceptedReportChangesNoCounts() {
        var report = ValidationReport()
        report.error(line: 2, column: "sex", "sex \"x\" is not one of male or female")
        var clean = ValidationReport()
        clean.warning("a note")
        report.merge(clean)
        #expect(report.totalErrors == 1)
        #expect(report.errors.count == 1)
        #expect(report.warnings.count == 1)
        var empty = ValidationReport()
        empty.merge(ValidationReport())
        #expect(empty.isAccepted)
    }

    @Test func anIssueDescribesWhereItIs() {
        #expect(ReturnIssue(.error, line: 3, column: "sex", "wrong").description == "line 3, column sex: wrong")
        #expect(ReturnIssue(.warning, column: "headcount", "odd").description == "column headcount: odd")
        #expect(ReturnIssue(.error, "bad").description == "bad")
    }
}

import CharterDomain
import Foundation
import Testing

@Suite("Writing CSV for spreadsheets")
struct CSVWriterTests {
    @Test(
        "A cell beginning with a formula trigger gets a leading apostrophe",
        arguments: [
            ("=1+2", "'=1+2"), ("+44 7700 900123", "'+44 7700 900123"), ("-12", "'-12"), ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"), ("\rx", "'\rx"), ("=", "'="),
            ("=HYPERLINK(\"http://evil.example\",\"click\")", "'=HYPERLINK(\"http://evil.example\",\"click\")"),
        ])
    func neutralised(cell: String, expected: String) {
        #expect(CSVWriter.neutralised(cell) == expected)
    }

    @Test(
        "Anything else is left as it is",
        arguments: [
            "", "a=b", "1+2", "Siân Ó Briain", "'=already quoted", " =leading space", "\nnewline first", "株式会社テスト",
            "12.50", "x-y", "a@b.example",
        ])
    func untouched(cell: String) {
        #expect(CSVWriter.neutralised(cell) == cell)
    }

    @Test("Fields are quoted when they hold a comma, a quote or a line break, quotes doubled (RFC 4180 §2)")
    func quoting() {
        #expect(CSVWriter.field("plain") == "plain")
        #expect(CSVWriter.field("Smith, Jones") == "\"Smith, Jones\"")
        #expect(CSVWriter.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVWriter.field("two\nlines") == "\"two\nlines\"")
        #expect(CSVWriter.field("cr\rhere") == "\"cr\rhere\"")
        // Neutralised first, then quoted: the apostrophe sits inside the quotes.
        #expect(CSVWriter.field("=SUM(A1,A2)") == "\"'=SUM(A1,A2)\"")
        #expect(CSVWriter.field("\rx") == "\"'\rx\"")
    }

    @Test("A document is the header and the rows, every record ended by CRLF, and parses back")
    func document() throws {
        let rows = [
            ["1", "Łódź Café Ltd", "=cmd|' /C calc'!A0"], ["2", "O'Brien, \"Jo\"", "line\nbreak"], ["3", "", ""],
        ]
        let text = CSVWriter.document(header: ["id", "employer", "note"], rows: rows)
        #expect(
            text == "id,employer,note\r\n1,Łódź Café Ltd,'=cmd|' /C calc'!A0\r\n"
                + "2,\"O'Brien, \"\"Jo\"\"\",\"line\nbreak\"\r\n3,,\r\n")
        let (records, errors) = CSVParser.parse(Array(text.utf8))
        #expect(errors.isEmpty)
        #expect(
            records.map(\.fields) == [["id", "employer", "note"]] + [
                rows[0].enumerated().map { $0.offset == 2 ? "'" + $0.element : $0.element }, rows[1], rows[2],
            ])
    }

    @Test("A report's flags CSV: one row per flag, evidence in one cell, every typed cell neutralised")
    func reportFlags() throws {
        let flag = ReportFlag(
            flag: Flag(
                id: 42, employerID: 7, employerName: "@Łódź Café Ltd", standardID: "pay.real-living-wage",
                standardTitle: nil, period: ReportingPeriod(year: 2026, quarter: 3)!, subject: "-3 hours",
                state: .open, severity: .critical, openedAt: Date(timeIntervalSince1970: 1_790_000_000),
                updatedAt: Date(timeIntervalSince1970: 1_790_000_000)),
            change: .new, evidence: ["+1 line", "=second"])
        let text = ReportFlag.csv([flag], publicURL: "https://charter.example")
        let (records, errors) = CSVParser.parse(Array(text.utf8))
        #expect(errors.isEmpty)
        #expect(records.count == 2)
        #expect(records[0].fields == ReportFlag.csvHeader)
        #expect(
            records[1].fields == [
                "42", "7", "'@Łódź Café Ltd", "pay.real-living-wage", "", "2026-Q3", "'-3 hours", "critical", "open",
                "new", "'+1 line\n=second", "https://charter.example/flags/42",
            ])
        #expect(text.hasSuffix("\r\n"))
    }
}

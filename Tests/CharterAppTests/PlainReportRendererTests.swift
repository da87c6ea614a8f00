import CharterApp
import CharterDomain
import Foundation
import Testing

/// The placeholder renderer must still produce messages the outbox can send as they are.
@Suite("The placeholder report renderer")
struct PlainReportRendererTests {
    static let flag = ReportFlag(
        id: 7, employerID: 1, employerName: "Acme Ltd", standardID: "pay.real-living-wage",
        standardTitle: "Real Living Wage", period: ReportingPeriod("2026-Q3")!, subject: "", severity: .breach,
        state: .open, change: .new, evidence: ["Workers affected: fewer than 5"])
    static let asOf = CalendarDate(iso: "2026-11-01")!
    static let due = DueReturn(
        period: ReportingPeriod("2026-Q3")!, dueDate: CalendarDate(iso: "2026-10-30")!, daysUntilDue: -2)
    static let reports: [Report] = [
        .employerDigest(
            EmployerDigest(
                employerID: 1, employerName: "Acme Ltd",
                recipients: [ReportRecipient(name: "HR", email: "hr@acme.example")],
                flags: [flag], dueReturns: [due], asOf: asOf)),
        .repDigest(
            RepDigest(
                repID: 2, recipient: ReportRecipient(name: "Siân Jones", email: "sian@unite.example"),
                employers: [RepDigest.Employer(employerID: 1, employerName: "Acme Ltd", flags: [flag])], asOf: asOf)),
        .reminder(
            ReturnReminder(
                employerID: 1, employerName: "Acme Ltd",
                recipients: [ReportRecipient(name: "", email: "hr@acme.example")],
                due: due, step: .oneDayOverdue, asOf: asOf)),
        .flagNotice(
            FlagNotice(
                flag: flag, event: .disputed, actor: "Acme Ltd", note: "=cmd|' /C calc'!A0", flagEventID: 9,
                recipients: [ReportRecipient(name: "Siân Jones", email: "sian@unite.example")])),
    ]

    @Test(arguments: reports) func rendersACompleteMessage(report: Report) throws {
        let rendered = try PlainReportRenderer(from: "charter@example.org", publicURL: "https://charter.example")
            .render(report, date: Date(timeIntervalSince1970: 1_795_000_000))
        let text = String(decoding: rendered.message, as: UTF8.self)
        #expect(rendered.recipients == report.recipients.map(\.email))
        #expect(rendered.from == "charter@example.org")
        for header in ["From:", "To:", "Subject:", "Date:", "Message-ID:", "MIME-Version: 1.0"] {
            #expect(text.hasPrefix(header) || text.contains("\r\n\(header)"), "missing \(header)")
        }
        // CRLF only, and no line over 998 octets.
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { !$0.contains("\n") && !$0.contains("\r") && $0.utf8.count <= 998 })
        let listsFlags = report.kind != .reminder
        #expect(text.contains("filename=\"flags.csv\"") == listsFlags || text.contains("flags.csv") == listsFlags)
    }
}

import CharterDomain
import Foundation
import TestSupport
import Testing

@testable import CharterApp

/// Every kind of report rendered to the bytes the outbox sends, then read back by an independent
/// parser — Python's `email` package in strict mode (`Tests/TestSupport/parse_strict.py`) — as a
/// recipient's client would: decoded subject and addresses, both bodies, the CSV file, no defects.
@Suite("Rendering reports as emails", .timeLimit(.minutes(10)))
struct ReportRendererTests {
    static let publicURL = "https://charter.example.gov.uk"
    static let asOf = CalendarDate(year: 2026, month: 11, day: 27)!
    /// 2026-11-27 21:30 UTC, a Friday evening in London.
    static let date = Date(timeIntervalSince1970: 1_795_815_000)

    static func renderer(_ templates: MailTemplates = .embedded) throws -> ReportRenderer {
        try ReportRenderer(templates: templates, publicURL: publicURL + "/", from: "charter@example.gov.uk")
    }

    /// Evidence a person typed, or that quotes what they typed: formulas, HTML, quotes, commas, a tab,
    /// a line far over 998 octets, a lone dot and a line that starts with "From".
    static let awkwardEvidence = [
        "Workers paid below the Real Living Wage: 12",
        "=HYPERLINK(\"http://evil.example\",\"click\")",
        "+44 7700 900123 called",
        "-12 hours, on average",
        "@SUM(A1:A9)",
        "\tTabbed: yes",
        "<script>alert('x')</script> & \"Smith, Jones\"",
        "Siân's shift, 株式会社テスト, £13.90/h 🙂",
        String(repeating: "very long evidence ", count: 80),
        ".",
        "From the rota: 3 late changes",
    ]

    static func flag(
        _ id: Int64, employerID: Int64 = 7, employer: String = "Łódź Café Ltd", change: ReportFlag.Change = .new,
        evidence: [String] = awkwardEvidence, subject: String = "Contract type \"zero_hours\", <40h>"
    ) -> ReportFlag {
        ReportFlag(
            flag: Flag(
                id: id, employerID: employerID, employerName: employer, standardID: "pay.real-living-wage",
                standardTitle: "Pay at least the Real Living Wage", period: ReportingPeriod(year: 2026, quarter: 3)!,
                subject: subject, state: change == .cleared ? .cleared : .open, severity: .breach,
                openedAt: Date(timeIntervalSince1970: 1_790_000_000),
                updatedAt: Date(timeIntervalSince1970: 1_790_000_000)),
            change: change, evidence: evidence)
    }

    static let contacts = [
        ReportRecipient(name: "Siân Ó Briain", email: "sian@lodz-cafe.example"),
        ReportRecipient(name: "株式会社テスト", email: "hr@test.example.jp"),
        ReportRecipient(name: "", email: "payroll@lodz-cafe.example"),
    ]

    static let employerDigest = Report.employerDigest(
        EmployerDigest(
            employerID: 7, employerName: "Łódź Café Ltd", recipients: contacts,
            flags: [flag(101), flag(102, evidence: []), flag(103, subject: ""), flag(104, change: .cleared)],
            dueReturns: [
                DueReturn(
                    period: ReportingPeriod(year: 2026, quarter: 4)!,
                    dueDate: CalendarDate(year: 2027, month: 1, day: 31)!, daysUntilDue: 65)
            ], asOf: asOf))

    static let repDigest = Report.repDigest(
        RepDigest(
            repID: 3, recipient: ReportRecipient(name: "Siân Ó Briain", email: "sian@unite.example"),
            employers: [
                RepDigest.Employer(employerID: 7, employerName: "Łódź Café Ltd", flags: [flag(201), flag(202)]),
                RepDigest.Employer(
                    employerID: 8, employerName: "株式会社テスト",
                    flags: [flag(203, employerID: 8, employer: "株式会社テスト", change: .changed)]),
            ], asOf: asOf))

    static let reminder = Report.reminder(
        ReturnReminder(
            employerID: 7, employerName: "Łódź Café Ltd", recipients: Array(contacts.prefix(2)),
            due: DueReturn(
                period: ReportingPeriod(year: 2026, quarter: 3)!,
                dueDate: CalendarDate(year: 2026, month: 11, day: 26)!, daysUntilDue: -1),
            step: .oneDayOverdue, asOf: asOf))

    static let weeklySummary = Report.weeklySummary(
        WeeklySummary(
            recipients: [ReportRecipient(name: "Charter team — Liverpool City Region", email: "team@example.gov.uk")],
            weekEnding: CalendarDate(year: 2026, month: 11, day: 23)!, employersPledged: 1_204,
            returnsReceivedThisWeek: 37, flagsOpenedThisWeek: 12, flagsClearedThisWeek: 4,
            openFlagsBySeverity: [.init(label: "critical", count: 2), .init(label: "breach", count: 2_345)],
            flagsByState: [.init(label: "open", count: 2_000), .init(label: "disputed", count: 347)],
            missingReturns: [
                .init(
                    employerID: 8, employerName: "株式会社テスト",
                    due: DueReturn(
                        period: ReportingPeriod(year: 2026, quarter: 3)!,
                        dueDate: CalendarDate(year: 2026, month: 11, day: 14)!, daysUntilDue: -9))
            ],
            auditChainHead: String(repeating: "ab12", count: 16), auditRows: 98_765))

    static let flagNotice = Report.flagNotice(
        FlagNotice(
            flag: flag(301, evidence: ["Workers paid below the Real Living Wage: 3"]), event: .disputed,
            actor: "Łódź Café Ltd", note: "=cmd|' /C calc'!A0\nWe pay <b>£14.10</b> & more since 1 October.",
            flagEventID: 9_001,
            recipients: [ReportRecipient(name: "Siân Ó Briain", email: "sian@unite.example")]))

    static let all: [Report] = [employerDigest, repDigest, reminder, weeklySummary, flagNotice]

    // MARK: - Every kind, read back

    @Test("Every kind reads back with its subject, recipients, bodies and no defects")
    func everyKind() async throws {
        let renderer = try Self.renderer()
        let rendered = try Self.all.map { try renderer.render($0, date: Self.date) }
        rendered.forEach { Self.expectWireFormat($0.message) }
        let parsed = try await ParsedMail.parse(rendered.map(\.message))
        let expectedSubjects = [
            "CharterWatch: 3 new and 1 cleared flags for Łódź Café Ltd — 2026-11-27",
            "CharterWatch: 2 new and 1 changed flags across 2 employers — 2026-11-27",
            "CharterWatch: Łódź Café Ltd's 2026-Q3 return is 1 day overdue",
            "CharterWatch weekly summary — week ending 2026-11-23",
            "CharterWatch: flag #301 disputed by Łódź Café Ltd — pay.real-living-wage",
        ]
        for ((report, message), (read, subject)) in zip(zip(Self.all, rendered), zip(parsed, expectedSubjects)) {
            #expect(read.error == nil, "\(read.error ?? "")")
            #expect(read.defects == [] && read.partDefects == [], "\(report.kind)")
            #expect(read.subject == subject)
            #expect(message.subject == subject)
            #expect(message.kind == report.kind)
            #expect(message.from == "charter@example.gov.uk")
            #expect(read.from?.first?.address == "charter@example.gov.uk")
            #expect(read.from?.first?.name == "CharterWatch")
            #expect(message.recipients == report.recipients.map(\.email))
            #expect(read.rfc2047?["to"]?.map(\.address) == report.recipients.map(\.email))
            #expect(read.rfc2047?["to"]?.map(\.name) == report.recipients.map(\.name))
            #expect(read.extra?["Auto-Submitted"] == "auto-generated")
            #expect(read.extra?["X-CharterWatch-Kind"] == report.kind.rawValue)
            #expect(read.messageID?.hasSuffix("@example.gov.uk>") == true)
            #expect(read.date == "2026-11-27T21:30:00+00:00")
            #expect(read.text?.contains("\(Self.publicURL)/") == true, "links in the text of \(report.kind)")
            #expect(read.html?.contains("href=\"\(Self.publicURL)/") == true, "links in the HTML of \(report.kind)")
            #expect(read.html?.hasPrefix("<!DOCTYPE html>") == true)
        }
    }

    @Test("The employer digest lists its flags with evidence and links, due returns, and attaches the CSV")
    func employerDigestLists() async throws {
        let rendered = try Self.renderer().render(Self.employerDigest, date: Self.date)
        let read = try #require(try await ParsedMail.parse([rendered.message]).first)
        let text = try #require(read.text)
        let html = try #require(read.html)
        for id in 101...104 {
            #expect(text.contains("#\(id) Pay at least the Real Living Wage (pay.real-living-wage), breach"))
            #expect(text.contains("\(Self.publicURL)/flags/\(id)\n"))
            #expect(
                html.contains("<a href=\"\(Self.publicURL)/flags/\(id)\">#\(id) Pay at least the Real Living Wage</a>"))
        }
        // The text is plain: what people typed arrives exactly, never HTML-escaped.
        #expect(text.contains("   - <script>alert('x')</script> & \"Smith, Jones\"\n"))
        #expect(text.contains("   - =HYPERLINK(\"http://evil.example\",\"click\")\n"))
        #expect(text.contains("   - Siân's shift, 株式会社テスト, £13.90/h 🙂\n"))
        #expect(text.contains(String(repeating: "very long evidence ", count: 80)))
        #expect(text.contains("Łódź Café Ltd, 2026-Q3: Contract type \"zero_hours\", <40h>\n"))
        #expect(text.contains("New flags (3)") && text.contains("Cleared flags (1)"))
        #expect(text.contains("   - 2026-Q4: due 2027-01-31 (in 65 days)"))
        #expect(text.contains("\(Self.publicURL)/employers/7\n"))
        #expect(text.contains("The flags are attached as flags-2026-11-27.csv."))
        #expect(!text.contains("&lt;") && !text.contains("&amp;") && !text.contains("&#39;"))
        // The HTML escapes it.
        #expect(
            html.contains("<li>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Smith, Jones&quot;</li>"))
        #expect(!html.contains("<script>"))
        #expect(html.contains("<a href=\"\(Self.publicURL)/employers/7\">Łódź Café Ltd</a>"))
        #expect(html.contains("<li>2026-Q4: due 2027-01-31 (in 65 days)</li>"))

        let attachment = try #require(read.attachments?.first)
        #expect(read.attachments?.count == 1)
        #expect(attachment.filename == "flags-2026-11-27.csv")
        #expect(attachment.contentType == "text/csv")
        let csv = try #require(attachment.text)
        let records = try Self.csvRecords(csv)
        #expect(records.count == 5)
        #expect(records.first == ReportFlag.csvHeader)
        #expect(records.dropFirst().map { $0[0] } == ["101", "102", "103", "104"])
        let first = records[1]
        #expect(first[2] == "Łódź Café Ltd")
        #expect(first[6] == "Contract type \"zero_hours\", <40h>")
        #expect(first[9] == "new")
        #expect(first[11] == "\(Self.publicURL)/flags/101")
        // Evidence in one cell; a formula at its start neutralised (the first line is harmless here).
        #expect(first[10] == Self.awkwardEvidence.joined(separator: "\n"))
        #expect(records[4][9] == "cleared")
    }

    @Test("Cells that a spreadsheet would run as formulas arrive neutralised in the attached CSV")
    func neutralisedCells() async throws {
        let evil = ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]
        let flags = evil.enumerated().map { index, cell in
            Self.flag(Int64(index + 1), employer: cell, evidence: [cell], subject: cell)
        }
        let digest = Report.employerDigest(
            EmployerDigest(
                employerID: 7, employerName: "=Evil Ltd", recipients: Self.contacts, flags: flags, dueReturns: [],
                asOf: Self.asOf))
        let rendered = try Self.renderer().render(digest, date: Self.date)
        let read = try #require(try await ParsedMail.parse([rendered.message]).first)
        #expect(read.defects == [])
        let records = try Self.csvRecords(try #require(read.attachments?.first?.text))
        for (record, cell) in zip(records.dropFirst(), evil) {
            #expect(record[2] == "'" + cell)
            #expect(record[6] == "'" + cell)
            #expect(record[10] == "'" + cell)
        }
        // The subject keeps the name as the employer wrote it, on one line.
        #expect(read.subject == "CharterWatch: 6 new flags for =Evil Ltd — 2026-11-27")
    }

    @Test("The rep digest groups flags by employer, links each, and attaches all of them")
    func repDigestGroups() async throws {
        let rendered = try Self.renderer().render(Self.repDigest, date: Self.date)
        let read = try #require(try await ParsedMail.parse([rendered.message]).first)
        let text = try #require(read.text)
        let html = try #require(read.html)
        #expect(text.hasPrefix("CharterWatch digest for Siân Ó Briain, 2026-11-27\n"))
        #expect(text.contains("== Łódź Café Ltd ==\n\(Self.publicURL)/employers/7\n"))
        #expect(text.contains("== 株式会社テスト ==\n\(Self.publicURL)/employers/8\n"))
        #expect(text.contains("Changed flags (1)"))
        #expect(text.contains("The flag queue: \(Self.publicURL)/flags\n"))
        #expect(html.contains("<h2><a href=\"\(Self.publicURL)/employers/8\">株式会社テスト</a></h2>"))
        for id in 201...203 { #expect(html.contains("href=\"\(Self.publicURL)/flags/\(id)\"")) }
        let records = try Self.csvRecords(try #require(read.attachments?.first?.text))
        #expect(records.dropFirst().map { $0[0] } == ["201", "202", "203"])
        #expect(records[3][2] == "株式会社テスト")
    }

    @Test("A reminder says when the return was due and where to upload it")
    func reminderSays() async throws {
        let rendered = try Self.renderer().render(Self.reminder, date: Self.date)
        let read = try #require(try await ParsedMail.parse([rendered.message]).first)
        let text = try #require(read.text)
        #expect(text.contains("The return for 2026-Q3 from Łódź Café Ltd was due on 2026-11-26 and has not"))
        #expect(text.contains("it is 1 day overdue."))
        #expect(text.contains("\(Self.publicURL)/employers/7\n"))
        #expect(read.html?.contains("<strong>1 day overdue</strong>") == true)
        #expect(read.attachments == [])

        var early = Self.reminder
        if case .reminder(var value) = early {
            value.due.daysUntilDue = 14
            value.step = .fourteenDaysBefore
            early = .reminder(value)
        }
        let second = try Self.renderer().render(early, date: Self.date)
        #expect(second.subject == "CharterWatch: Łódź Café Ltd's 2026-Q3 return is due in 14 days")
    }

    @Test("The weekly summary gives the counts and ends with the audit chain head")
    func weeklySummaryCounts() async throws {
        let rendered = try Self.renderer().render(Self.weeklySummary, date: Self.date)
        let read = try #require(try await ParsedMail.parse([rendered.message]).first)
        let text = try #require(read.text)
        let head = String(repeating: "ab12", count: 16)
        #expect(text.contains("Employers pledged:            1,204\n"))
        #expect(text.contains("   breach: 2,345\n"))
        #expect(text.contains("   disputed: 347\n"))
        #expect(text.contains("   - 株式会社テスト, 2026-Q3: due 2026-11-14 (9 days overdue)\n"))
        #expect(text.contains("Audit chain head (98,765 rows):\n\(head)\n"))
        // The head is the last thing before the footer.
        let beforeFooter = try #require(text.components(separatedBy: "\n--\n").first)
        #expect(
            beforeFooter.hasSuffix(
                "\(head)\nKeep it: `charterctl audit verify --head` with it proves, at any later\n"
                    + "time, that the chain still holds this head.\n"))
        #expect(read.html?.contains("<code style=\"word-break: break-all;\">\(head)</code>") == true)
        #expect(read.attachments == [])
    }

    @Test("A flag notice says who did what, with their note")
    func flagNoticeSays() async throws {
        let rendered = try Self.renderer().render(Self.flagNotice, date: Self.date)
        let read = try #require(try await ParsedMail.parse([rendered.message]).first)
        let text = try #require(read.text)
        #expect(text.hasPrefix("Łódź Café Ltd disputed flag #301 on 2026-11-27.\n"))
        #expect(text.contains("Their note:\n=cmd|' /C calc'!A0\nWe pay <b>£14.10</b> & more since 1 October.\n"))
        #expect(text.contains("\(Self.publicURL)/flags/301\n"))
        let html = try #require(read.html)
        #expect(html.contains("We pay &lt;b&gt;£14.10&lt;/b&gt; &amp; more"))
        #expect(html.contains("<a href=\"\(Self.publicURL)/flags/301\">flag #301</a>"))
        #expect(read.attachments == [])
    }

    @Test("A digest of 2,000 flags renders whole, within the line limits, with a 2,000-row CSV")
    func bigDigest() async throws {
        let flags = (1...2_000).map { Self.flag(Int64($0), evidence: Array(Self.awkwardEvidence.prefix($0 % 4))) }
        let digest = Report.employerDigest(
            EmployerDigest(
                employerID: 7, employerName: "Łódź Café Ltd", recipients: Self.contacts, flags: flags, dueReturns: [],
                asOf: Self.asOf))
        let rendered = try Self.renderer().render(digest, date: Self.date)
        Self.expectWireFormat(rendered.message)
        #expect(rendered.subject == "CharterWatch: 2,000 new flags for Łódź Café Ltd — 2026-11-27")
        let read = try #require(try await ParsedMail.parse([rendered.message]).first)
        #expect(read.error == nil && read.defects == [] && read.partDefects == [])
        let text = try #require(read.text)
        let html = try #require(read.html)
        #expect(text.contains("New flags (2,000)"))
        for id in [1, 999, 2_000] {
            #expect(text.contains("\(Self.publicURL)/flags/\(id)\n"))
            #expect(html.contains("href=\"\(Self.publicURL)/flags/\(id)\""))
        }
        let records = try Self.csvRecords(try #require(read.attachments?.first?.text))
        #expect(records.count == 2_001)
        #expect(records.last?[0] == "2000")
    }

    // MARK: - Templates

    @Test("Templates in CHARTERD_MAIL_TEMPLATES_DIR replace the shipped ones of the same name")
    func templateOverride() async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "mail-templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "Flags at {{employer}} ({{flagCount}}) <&>\n".write(
            to: directory.appending(path: "employer-digest.subject.mustache"), atomically: true, encoding: .utf8)
        // A partial: every text template that lists flags uses it.
        try "FLAG {{id}} -> {{url}} [{{employer}}]\n".write(
            to: directory.appending(path: "flag.text.mustache"), atomically: true, encoding: .utf8)
        try "not a template".write(to: directory.appending(path: "notes.txt"), atomically: true, encoding: .utf8)

        let configuration = try CharterConfiguration.load(environment: [
            "CHARTERD_MAIL_TEMPLATES_DIR": directory.path, "CHARTERD_PUBLIC_URL": Self.publicURL,
            "CHARTERD_MAIL_FROM": "charter@example.gov.uk",
        ])
        #expect(configuration.mailTemplatesDirectory?.path == directory.path)
        let renderer = try ReportRenderer(configuration: configuration)
        #expect(renderer.templates.overridden == ["employer-digest.subject", "flag.text"])
        let rendered = try renderer.render(Self.employerDigest, date: Self.date)
        let read = try #require(try await ParsedMail.parse([rendered.message]).first)
        #expect(read.subject == "Flags at Łódź Café Ltd (4) <&>")
        let text = try #require(read.text)
        #expect(text.contains("FLAG 101 -> \(Self.publicURL)/flags/101 [Łódź Café Ltd]\n"))
        #expect(!text.contains("   - =HYPERLINK"))
        // What was not overridden is as shipped.
        #expect(read.html?.contains("<li>=HYPERLINK(&quot;http://evil.example&quot;,&quot;click&quot;)</li>") == true)
        let shipped = try Self.renderer().render(Self.employerDigest, date: Self.date)
        #expect(shipped.subject != rendered.subject)
    }

    @Test("A template that does not parse, or a directory that is not there, stops start-up with a sentence")
    func brokenOverride() throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "mail-templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "{{#flags}} never closed".write(
            to: directory.appending(path: "rep-digest.text.mustache"), atomically: true, encoding: .utf8)
        let syntax = #expect(throws: ReportRenderingError.self) { try MailTemplates(overridesIn: directory) }
        #expect(syntax?.code == .templateSyntax)
        #expect(syntax?.description.contains("rep-digest.text.mustache does not parse") == true)
        let missing = #expect(throws: ReportRenderingError.self) {
            try MailTemplates(overridesIn: directory.appending(path: "missing"))
        }
        #expect(missing?.code == .templateDirectory)
    }

    @Test("A recipient address the mail module cannot send to is an error naming no address")
    func badRecipient() throws {
        let report = Report.reminder(
            ReturnReminder(
                employerID: 7, employerName: "Łódź Café Ltd",
                recipients: [ReportRecipient(name: "Jo", email: "not an address")],
                due: DueReturn(
                    period: ReportingPeriod(year: 2026, quarter: 3)!,
                    dueDate: CalendarDate(year: 2026, month: 11, day: 26)!, daysUntilDue: 3),
                step: .threeDaysBefore, asOf: Self.asOf))
        let renderer = try Self.renderer()
        let error = #expect(throws: ReportRenderingError.self) { try renderer.render(report, date: Self.date) }
        #expect(error?.code == .invalidMessage)
        #expect(error?.description.contains("not an address") == false)
    }

    @Test("Names with line breaks or tabs go on one line in the subject and To")
    func namesOnOneLine() async throws {
        let report = Report.reminder(
            ReturnReminder(
                employerID: 7, employerName: "Łódź\nCafé\tLtd",
                recipients: [ReportRecipient(name: "Siân\r\nÓ Briain", email: "sian@example.org")],
                due: DueReturn(
                    period: ReportingPeriod(year: 2026, quarter: 3)!,
                    dueDate: CalendarDate(year: 2026, month: 11, day: 30)!, daysUntilDue: 3),
                step: .threeDaysBefore, asOf: Self.asOf))
        let rendered = try Self.renderer().render(report, date: Self.date)
        let read = try #require(try await ParsedMail.parse([rendered.message]).first)
        #expect(read.defects == [])
        #expect(read.subject == "CharterWatch: Łódź Café Ltd's 2026-Q3 return is due in 3 days")
        #expect(read.rfc2047?["to"]?.first?.name == "Siân Ó Briain")
    }

    @Test("HTML escaping is Mustache's own: the five characters as entities, everything else as it is")
    func htmlEscaping() {
        let escape = MailHTMLContentType()
        #expect(escape.escapeText("Łódź Café 株式会社 🙂 2026-11-27") == "Łódź Café 株式会社 🙂 2026-11-27")
        #expect(
            escape.escapeText("<a href=\"x\">O'Brien & Sons</a>🙂")
                == "&lt;a href=&quot;x&quot;&gt;O&#39;Brien &amp; Sons&lt;/a&gt;🙂")
        #expect(escape.escapeText("") == "")
    }

    // MARK: - Helpers

    /// CRLF line ends only and no line over 998 octets (RFC 5322 §2.1.1), checked on the raw bytes.
    static func expectWireFormat(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        var lineLength = 0
        var longest = 0
        var bare = 0
        for (index, byte) in bytes.enumerated() {
            switch byte {
            case 0x0D:
                if index + 1 >= bytes.count || bytes[index + 1] != 0x0A { bare += 1 }
            case 0x0A:
                if index == 0 || bytes[index - 1] != 0x0D { bare += 1 }
                longest = max(longest, lineLength)
                lineLength = 0
            default:
                lineLength += 1
            }
        }
        longest = max(longest, lineLength)
        #expect(bare == 0, "\(bare) bare CR or LF", sourceLocation: sourceLocation)
        #expect(longest <= 998, "a line of \(longest) octets", sourceLocation: sourceLocation)
        #expect(bytes.suffix(2) == [0x0D, 0x0A], sourceLocation: sourceLocation)
    }

    /// The CSV's records, read by the domain's RFC 4180 parser; every record must end in CRLF.
    static func csvRecords(_ text: String) throws -> [[String]] {
        #expect(text.hasSuffix("\r\n"))
        let (records, errors) = CSVParser.parse(Array(text.utf8))
        #expect(errors.isEmpty)
        return records.map(\.fields)
    }
}

/// What `Tests/TestSupport/parse_strict.py` prints for one message.
struct ParsedMail: Decodable {
    struct Mailbox: Decodable, Equatable {
        var name: String
        var address: String
    }
    struct Attachment: Decodable, Equatable {
        var filename: String?
        var contentType: String
        var size: Int
        var text: String?
    }
    var error: String?
    var subject: String?
    var from: [Mailbox]?
    var to: [Mailbox]?
    var rfc2047: [String: [Mailbox]]?
    var date: String?
    var messageID: String?
    var extra: [String: String]?
    var defects: [String]?
    var partDefects: [String]?
    var text: String?
    var html: String?
    var attachments: [Attachment]?

    /// Each message as Python's strict parser reads it.
    static func parse(_ messages: [[UInt8]]) async throws -> [ParsedMail] { try await StrictMailParser.parse(messages) }
}

import Foundation
import TestRandom
import TestSupport
import Testing

@testable import Mail

/// Round trips through an independent reader: Python's `email` package with `policy.strict`.
///
/// Our own tests can only check what we think the RFCs say; a second implementation reading back
/// exactly the names, subjects, bodies and files we put in — and recording no defects — checks that
/// others read our mail the same way.
@Suite("Read back by Python's strict email parser")
struct StrictParserTests {
    /// What `parse_strict.py` prints for one message.
    struct Parsed: Decodable {
        struct Mailbox: Decodable, Equatable {
            var name: String
            var address: String
        }
        struct Attachment: Decodable {
            var filename: String?
            var contentType: String
            var size: Int
            var sha256: String
        }
        struct Node: Decodable, Equatable {
            var type: String
            var parts: [Node]?
        }
        var error: String?
        var subject: String?
        var from: [Mailbox]?
        var to: [Mailbox]?
        var replyTo: [Mailbox]?
        /// The same mailboxes decoded strictly by RFC 2047 §6.2 (see `parse_strict.py`).
        var rfc2047: [String: [Mailbox]]?
        var date: String?
        var messageID: String?
        var extra: [String: String]?
        var defects: [String]?
        var partDefects: [String]?
        var tree: Node?
        var text: String?
        var html: String?
        var attachments: [Attachment]?
    }

    /// Each message as Python's strict parser reads it.
    static func parse(_ messages: [[UInt8]]) async throws -> [Parsed] { try await StrictMailParser.parse(messages) }

    static let renderer = MailRenderer()

    /// Checks everything the reader saw against what went in.
    static func expectReadBack(
        _ message: MailMessage, _ parsed: Parsed, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(parsed.error == nil, "\(parsed.error ?? "")", sourceLocation: sourceLocation)
        #expect(parsed.defects == [], sourceLocation: sourceLocation)
        #expect(parsed.partDefects == [], sourceLocation: sourceLocation)
        #expect(parsed.subject == message.subject, sourceLocation: sourceLocation)
        func mailboxes(_ addresses: [MailAddress]) -> [Parsed.Mailbox] {
            addresses.map { Parsed.Mailbox(name: $0.displayName ?? "", address: $0.address) }
        }
        let sent = [
            "from": [message.from], "to": message.to, "replyTo": message.replyTo.map { [$0] } ?? [],
        ]
        for (field, addresses) in sent {
            #expect(parsed.rfc2047?[field] == mailboxes(addresses), "\(field)", sourceLocation: sourceLocation)
        }
        // The header registry agrees wherever a display name is a single encoded-word (up to 45 bytes);
        // longer names come back with a space where the words meet (a CPython bug, see the script).
        func registryReadable(_ addresses: [MailAddress]) -> [MailAddress] {
            addresses.filter { ($0.displayName?.utf8.count ?? 0) <= 40 }
        }
        let readable = [
            (parsed.from ?? [], [message.from]), (parsed.to ?? [], message.to),
            (parsed.replyTo ?? [], message.replyTo.map { [$0] } ?? []),
        ]
        for (read, addresses) in readable {
            #expect(read.count == addresses.count, sourceLocation: sourceLocation)
            for (mailbox, address) in zip(read, addresses) where registryReadable([address]).count == 1 {
                #expect(mailbox == mailboxes([address])[0], sourceLocation: sourceLocation)
            }
        }
        #expect(parsed.messageID == message.messageID.description, sourceLocation: sourceLocation)
        for header in message.headers {
            #expect(parsed.extra?[header.name] == header.value, sourceLocation: sourceLocation)
        }
        let attachmentNodes = message.attachments.map { attachment in
            Parsed.Node(type: String(attachment.contentType.split(separator: ";")[0]).lowercased(), parts: nil)
        }
        let expectedTree = Parsed.Node(
            type: "multipart/mixed",
            parts: [
                Parsed.Node(
                    type: "multipart/alternative",
                    parts: [Parsed.Node(type: "text/plain", parts: nil), Parsed.Node(type: "text/html", parts: nil)])
            ] + attachmentNodes)
        #expect(parsed.tree == expectedTree, sourceLocation: sourceLocation)
        #expect(parsed.text == WireFormat.lfNormalised(message.textBody), sourceLocation: sourceLocation)
        #expect(parsed.html == WireFormat.lfNormalised(message.htmlBody), sourceLocation: sourceLocation)
        let attachments = parsed.attachments ?? []
        #expect(attachments.count == message.attachments.count, sourceLocation: sourceLocation)
        for (sent, read) in zip(message.attachments, attachments) {
            #expect(read.filename == sent.filename, sourceLocation: sourceLocation)
            #expect(read.size == sent.data.count, sourceLocation: sourceLocation)
            #expect(read.sha256 == SHA256.hex(sent.data), sourceLocation: sourceLocation)
        }
    }

    static func message(
        from: MailAddress? = nil, to: [MailAddress]? = nil, subject: String = "CharterWatch digest",
        text: String = "Hello\n", html: String = "<p>Hello</p>\n", attachments: [MailAttachment] = []
    ) throws -> MailMessage {
        var generator = SeededGenerator(state: UInt64(subject.utf8.count))
        return MailMessage(
            from: try from ?? MailAddress(displayName: "CharterWatch", address: "noreply@charterwatch.example"),
            to: try to ?? [MailAddress(displayName: "Charter team", address: "team@charterwatch.example")],
            subject: subject,
            date: Date(timeIntervalSince1970: 1_795_815_000),
            messageID: try MessageID.random(domain: "charterwatch.example", using: &generator),
            textBody: text,
            htmlBody: html,
            attachments: attachments,
            headers: [.autoGenerated, try MailHeader(name: "X-CharterWatch-Kind", value: "employer-digest")]
        )
    }

    @Test("Our SHA-256 agrees with the standard's test vector")
    func sha256() {
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("Non-ASCII employer and person names, long subjects and file names read back exactly")
    func names() async throws {
        let names = [
            "Siân Ó Briain", "Łódź Café Ltd", "株式会社テスト", "🙂 Team", "O'Brien, \"Jo\" \\ Sons", "Zoë",
            "The Charter Team of the Greater Manchester Good Employment Charter Unit",
        ]
        let to = try names.enumerated().map {
            try MailAddress(displayName: $0.element, address: "p\($0.offset)@example.org")
        }
        let longName = String(repeating: "株式会社テスト ", count: 12) + "Łódź Café Ltd 🙂"
        var messages = [
            try Self.message(
                from: MailAddress(displayName: "Łódź Café Ltd", address: "hr@lodz-cafe.example"), to: to,
                subject: "Flags for Siân Ó Briain at Łódź Café Ltd and 株式会社テスト — three new, one cleared 🙂 "
                    + String(repeating: "and more text ", count: 8),
                attachments: [
                    try MailAttachment(
                        filename: "Siân's flags – Q3 2026.csv", contentType: "text/csv; charset=utf-8",
                        data: Array("name\nSiân\n".utf8)),
                    try MailAttachment(
                        filename: String(repeating: "株式会社テスト ", count: 8) + "flags.csv", contentType: "text/csv",
                        data: Array("x".utf8)),
                    try MailAttachment(
                        filename: String(repeating: "long-ascii-name-", count: 10) + ".csv", contentType: "text/csv",
                        data: (0...255).map { UInt8($0) }),
                ]),
            try Self.message(from: MailAddress(displayName: longName, address: "a@example.org"), subject: longName),
            try Self.message(to: [MailAddress(address: "bare@example.org")], subject: "Plain ASCII subject"),
        ]
        messages[0].replyTo = try MailAddress(displayName: "Siân", address: "sian@example.org")
        messages[0].headers.append(try MailHeader(name: "X-CharterWatch-Employer", value: "Łódź Café Ltd — 株式会社テスト"))
        let rendered = try messages.map { try Self.renderer.render($0) }
        for bytes in rendered {
            WireFormat.expectValid(bytes)
            #expect(WireFormat.headerLines(bytes).allSatisfy { $0.utf8.count <= 78 })
        }
        let subjectLines = WireFormat.headerLines(rendered[0]).drop { !$0.hasPrefix("Subject:") }.prefix {
            !$0.hasPrefix("Date:")
        }
        #expect(subjectLines.count >= 3)
        let parsed = try await Self.parse(rendered)
        #expect(parsed.first?.date == "2026-11-27T21:30:00+00:00")
        for (message, parsed) in zip(messages, parsed) {
            Self.expectReadBack(message, parsed)
        }
    }

    @Test("Subjects that are ASCII but not plain words still read back exactly")
    func awkwardSubjects() async throws {
        let subjects = [
            "", " leading space", "trailing space ", "double  space", "tab\there", "=?utf-8?B?QQ==?= looks encoded",
            String(repeating: "x", count: 120), "a", "Re: [charter] 50% of flags \"cleared\" (Q3) <ok>",
        ]
        let messages = try subjects.map { try Self.message(subject: $0) }
        let rendered = try messages.map { try Self.renderer.render($0) }
        rendered.forEach { WireFormat.expectValid($0) }
        for (message, parsed) in zip(messages, try await Self.parse(rendered)) {
            Self.expectReadBack(message, parsed)
        }
    }

    @Test("A digest of 2,000 flags with a 2,000-row CSV attachment")
    func bigDigest() async throws {
        let lines = (1...2_000).map { index in
            "Flag \(index): pay.real-living-wage — Siân Ó Briain, 株式会社テスト, £\(index).50 below the rate 🙂"
        }
        let text = lines.joined(separator: "\n") + "\n"
        let html = "<ul>\n" + lines.map { "<li>\($0)</li>" }.joined(separator: "\n") + "\n</ul>\n"
        let csv =
            "flag,standard,worker,shortfall\r\n"
            + (1...2_000).map { "\($0),pay.real-living-wage,\"Siân, Ó Briain\",\($0).50" }.joined(separator: "\r\n")
            + "\r\n"
        let message = try Self.message(
            subject: "Digest: 2,000 flags for Łódź Café Ltd", text: text, html: html,
            attachments: [
                try MailAttachment(
                    filename: "Siân's flags – Q3 2026.csv", contentType: "text/csv; charset=utf-8", data: Data(csv.utf8)
                )
            ])
        let bytes = try Self.renderer.render(message)
        WireFormat.expectValid(bytes)
        Self.expectReadBack(message, try await Self.parse([bytes])[0])
    }

    @Test("Bodies with over-long lines, trailing spaces, lone dots, From lines and mixed line breaks")
    func awkwardBodies() async throws {
        let text =
            [
                String(repeating: "long line ", count: 150),  // 1,500 characters
                String(repeating: "Ł", count: 1_000),  // 2,000 bytes, all escaped
                "trailing spaces   ", "trailing tab\t", " ", "", ".", "..", ". and more", "From the charter team",
                "From", ">From quoted", "equals = sign =3D", "--=_ not a boundary", "end",
            ].joined(separator: "\n") + "\r\nCRLF line\rCR line\n"
        let messages = [
            try Self.message(text: text, html: "<pre>" + text + "</pre>"),
            try Self.message(text: "", html: ""),
            try Self.message(text: "no final newline", html: "<p>x</p>"),
            try Self.message(text: String(repeating: "x", count: 5_000), html: String(repeating: "é", count: 5_000)),
        ]
        let rendered = try messages.map { try Self.renderer.render($0) }
        rendered.forEach { WireFormat.expectValid($0) }
        for (message, parsed) in zip(messages, try await Self.parse(rendered)) {
            Self.expectReadBack(message, parsed)
        }
    }
}

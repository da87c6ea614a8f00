public import CharterDomain
public import Foundation
public import Mail

/// Renders every kind of report (SPEC §7) as the complete message the outbox sends: subject, text
/// and HTML bodies from the Mustache templates (`MailTemplates`), the flags as a CSV attachment where
/// a digest lists them, and the MIME framing from the `Mail` module.
///
/// Built once at start-up and shared: the templates are parsed, the sender's address, the fixed headers
/// and the link base are worked out in `init`, so a render does only the per-report work — which is
/// what lets the nightly run render ten thousand digests in a second or two. A plain `Sendable` value,
/// safe to use from any number of tasks at once.
///
/// Each message carries `Auto-Submitted: auto-generated` (so vacation responders stay quiet) and
/// `X-CharterWatch-Kind: <kind>`, a fresh random `Message-ID` in the sender's domain, and a `Date`
/// in Europe/London. Links point into the web pages under `publicURL`: `/flags/{id}`,
/// `/employers/{id}` and the queue `/flags`.
///
/// The employer and rep digests attach the flags they list as `flags-YYYY-MM-DD.csv` (their date),
/// one row per flag with every cell neutralised against formulas (`CSVWriter`). Reminders and the
/// weekly summary list no flags; a flag notice is about one flag, shown in full in its body, so it
/// carries no file either.
public struct ReportRenderer: ReportRendering {
    /// Where the templates came from (shipped, and any overrides).
    public let templates: MailTemplates
    /// The base of links, without a trailing slash, e.g. `https://charter.example.gov.uk`.
    public let publicURL: String
    /// The sender, as in `From:`; its domain names the Message-IDs.
    public let sender: MailAddress
    private let messageIDDomain: String
    private let mail: MailRenderer
    private let kindHeaders: [ReportKind: MailHeader]
    /// Turns a London calendar day out of the render's date, for reports that have no date of their own.
    private let calendar: Calendar

    /// - Parameters:
    ///   - templates: the parsed templates, shipped or with overrides.
    ///   - publicURL: `CHARTERD_PUBLIC_URL`, the base of links in the messages.
    ///   - from: `CHARTERD_MAIL_FROM`, the sender's address; its domain names the Message-IDs.
    ///   - senderName: the display name in `From:`. Default `CharterWatch`.
    ///   - timeZone: the zone of the `Date` header and of dates worked out from it. Default Europe/London.
    ///   - boundary: MIME boundaries; tests fix them to compare output. Default random.
    /// - Throws: `ReportRenderingError` `.invalidMessage` when `from` is not an address the mail
    ///   module can send from.
    public init(
        templates: MailTemplates, publicURL: String, from: String, senderName: String = "CharterWatch",
        timeZone: TimeZone = MailRenderer.london,
        boundary: @escaping @Sendable (_ part: Int) -> String = MailRenderer.randomBoundary
    ) throws(ReportRenderingError) {
        self.templates = templates
        var base = publicURL
        while base.hasSuffix("/") { base.removeLast() }
        self.publicURL = base
        do {
            sender = try MailAddress(displayName: senderName, address: from)
            messageIDDomain = String(from[from.index(after: from.lastIndex(of: "@")!)...])
            _ = try MessageID(left: "check", right: messageIDDomain)
            var headers: [ReportKind: MailHeader] = [:]
            for kind in ReportKind.allCases {
                headers[kind] = try MailHeader(name: "X-CharterWatch-Kind", value: kind.rawValue)
            }
            kindHeaders = headers
        } catch {
            throw ReportRenderingError(.invalidMessage, "CHARTERD_MAIL_FROM cannot be used as a sender: \(error)")
        }
        mail = MailRenderer(timeZone: timeZone, boundary: boundary)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// The renderer charterd and charterctl use: templates from `CHARTERD_MAIL_TEMPLATES_DIR` over the
    /// shipped ones, links under `CHARTERD_PUBLIC_URL`, sent from `CHARTERD_MAIL_FROM`.
    public init(configuration: CharterConfiguration) throws(ReportRenderingError) {
        var templates = MailTemplates.embedded
        if let directory = configuration.mailTemplatesDirectory {
            templates = try MailTemplates(overridesIn: directory)
        }
        try self.init(templates: templates, publicURL: configuration.publicURL, from: configuration.mailFrom)
    }

    public func render(_ report: Report, date: Date) throws -> RenderedReport {
        try renderReport(report, date: date)
    }

    /// `render(_:date:)` with its error type spelled out.
    public func renderReport(_ report: Report, date: Date) throws(ReportRenderingError) -> RenderedReport {
        let kind = report.kind
        var data: [String: Any]
        var attachments: [MailAttachment] = []
        switch report {
        case .employerDigest(let digest):
            data = employerDigestData(digest)
            if !digest.flags.isEmpty {
                attachments.append(try flagsCSV(digest.flags, asOf: digest.asOf, into: &data))
            }
        case .repDigest(let digest):
            data = repDigestData(digest)
            let flags = digest.employers.flatMap(\.flags)
            if !flags.isEmpty {
                attachments.append(try flagsCSV(flags, asOf: digest.asOf, into: &data))
            }
        case .reminder(let reminder):
            data = reminderData(reminder)
        case .weeklySummary(let summary):
            data = weeklySummaryData(summary)
        case .flagNotice(let notice):
            data = flagNoticeData(notice, day: londonDay(date))
        case .invitation(let notice):
            data = [
                "name": notice.recipient.name, "email": notice.recipient.email, "role": notice.role,
                "link": publicURL + notice.path, "expires": notice.expires,
                "invitation": notice.purpose == .invitation, "reset": notice.purpose == .reset,
            ]
        case .accreditationReminder(let reminder):
            data = accreditationReminderData(reminder)
        case .accreditationLapsed(let notice):
            data = [
                "employer": notice.employerName, "employerURL": employerURL(notice.employerID),
                "lapseDate": notice.lapseDate.description, "charterVersion": notice.charterVersion,
                "date": notice.lapseDate.description,
            ]
        case .application(let notice):
            data = applicationData(notice)
        }
        data["publicURL"] = publicURL
        data["flagsURL"] = publicURL + "/flags"

        let subject = Self.singleLine(try templates.render("\(kind.rawValue).subject", data))
        let text = try templates.render("\(kind.rawValue).text", data)
        let html = try templates.render("\(kind.rawValue).html", data)
        do {
            let to = try report.recipients.map { recipient throws(MailError) in
                let name = Self.singleLine(recipient.name)
                return try MailAddress(displayName: name.isEmpty ? nil : name, address: recipient.email)
            }
            let message = MailMessage(
                from: sender, to: to, subject: subject, date: date,
                messageID: try MessageID.random(domain: messageIDDomain),
                textBody: text, htmlBody: html, attachments: attachments,
                headers: [.autoGenerated, kindHeaders[kind]!])
            return RenderedReport(
                kind: kind, subject: subject, from: sender.address, recipients: to.map(\.address),
                message: try mail.render(message))
        } catch {
            throw ReportRenderingError(.invalidMessage, "the \(kind.rawValue) message cannot be built: \(error)")
        }
    }

    /// `flags-YYYY-MM-DD.csv` with one row per flag; also tells the templates its name.
    private func flagsCSV(
        _ flags: [ReportFlag], asOf: CalendarDate, into data: inout [String: Any]
    ) throws(ReportRenderingError) -> MailAttachment {
        let filename = "flags-\(asOf).csv"
        data["hasCSV"] = true
        data["csvFilename"] = filename
        do {
            return try MailAttachment(
                filename: filename, contentType: "text/csv; charset=utf-8",
                data: Array(ReportFlag.csv(flags, publicURL: publicURL).utf8))
        } catch {
            throw ReportRenderingError(.invalidMessage, "the flags attachment cannot be built: \(error)")
        }
    }

    /// The calendar day `date` falls on in the renderer's zone.
    private func londonDay(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return CalendarDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)?.description
            ?? ""
    }

    /// `text` on one line: every run of white space or control characters (line breaks included) as
    /// one space, trimmed. A subject or display name with a line break would be refused by the mail
    /// module as header injection; a template's final newline or a name pasted with a tab is not worth
    /// failing a report over.
    static func singleLine(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace || scalar.properties.generalCategory == .control {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace { result.unicodeScalars.append(" ") }
                pendingSpace = false
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

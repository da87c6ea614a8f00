public import CharterDomain
public import Foundation
public import Mail

/// A PLACEHOLDER renderer: each report as a plain-text listing (the HTML part is the same text in a
/// `<pre>`) with a CSV of its flags, built with `Mail` into a complete RFC 5322 message.
///
/// It exists so the queueing half of issue 6 and `charterctl reports preview` have something valid
/// to send until the Mustache `ReportRenderer` lands; `ReportRenderers.renderer(for:)` is the one
/// place that chooses it and the one line the merge changes.
public struct PlainReportRenderer: ReportRendering {
    /// The sender address (`CHARTERD_MAIL_FROM`); its domain names the Message-IDs.
    public var from: String
    /// The base of links (`CHARTERD_PUBLIC_URL`).
    public var publicURL: String
    public var mailRenderer: MailRenderer

    public init(from: String, publicURL: String, mailRenderer: MailRenderer = MailRenderer()) {
        self.from = from
        self.publicURL = publicURL
        self.mailRenderer = mailRenderer
    }

    public func render(_ report: Report, date: Date) throws -> RenderedReport {
        let (subject, lines, flags) = Self.content(of: report, publicURL: publicURL)
        let text = lines.joined(separator: "\n") + "\n"
        let domain = from.split(separator: "@").last.map(String.init) ?? "localhost"
        let attachments =
            flags.isEmpty
            ? [] : [try MailAttachment(filename: "flags.csv", contentType: "text/csv", data: Self.csv(flags))]
        let message = MailMessage(
            from: try MailAddress(displayName: "Fair Employment Charter", address: from),
            to: try report.recipients.map {
                try MailAddress(displayName: $0.name.isEmpty ? nil : $0.name, address: $0.email)
            },
            subject: subject, date: date, messageID: try MessageID.random(domain: domain), textBody: text,
            htmlBody: "<!DOCTYPE html><html><body><pre>\(Self.escaped(text))</pre></body></html>",
            attachments: attachments)
        return RenderedReport(
            kind: report.kind, subject: subject, from: from, recipients: report.recipients.map(\.email),
            message: try mailRenderer.render(message))
    }

    /// Subject, body lines and the flags to attach.
    static func content(of report: Report, publicURL: String) -> (String, [String], [ReportFlag]) {
        func flagLines(_ flags: [ReportFlag]) -> [String] {
            flags.flatMap { flag in
                let subject = flag.subject.isEmpty ? "" : " (\(flag.subject))"
                return [
                    "- [\(flag.change.rawValue)] \(flag.standardTitle ?? flag.standardID)\(subject), \(flag.period):"
                        + " \(flag.severity.rawValue), \(flag.state.rawValue)"
                ]
                    + flag.evidence.map { "    \($0)" }
            }
        }
        func dueLine(_ due: DueReturn) -> String {
            due.daysUntilDue < 0
                ? "- \(due.period): due \(due.dueDate), \(-due.daysUntilDue) days overdue"
                : "- \(due.period): due \(due.dueDate), in \(due.daysUntilDue) days"
        }
        switch report {
        case .employerDigest(let digest):
            var lines = ["Charter digest for \(digest.employerName), \(digest.asOf)", ""]
            if !digest.flags.isEmpty { lines += ["Flags:"] + flagLines(digest.flags) + [""] }
            if !digest.dueReturns.isEmpty { lines += ["Returns due:"] + digest.dueReturns.map(dueLine) + [""] }
            lines.append("\(publicURL)/employers/\(digest.employerID)")
            return ("Charter digest: \(digest.employerName), \(digest.asOf)", lines, digest.flags)
        case .repDigest(let digest):
            var lines = ["Charter digest for \(digest.recipient.name), \(digest.asOf)", ""]
            for employer in digest.employers {
                lines += ["\(employer.employerName):"] + flagLines(employer.flags) + [""]
            }
            lines.append("\(publicURL)/flags")
            return ("Charter digest for reps, \(digest.asOf)", lines, digest.employers.flatMap(\.flags))
        case .reminder(let reminder):
            let subject =
                reminder.due.daysUntilDue < 0
                ? "Overdue: \(reminder.employerName)'s \(reminder.due.period) return was due \(reminder.due.dueDate)"
                : "Reminder: \(reminder.employerName)'s \(reminder.due.period) return is due \(reminder.due.dueDate)"
            return (
                subject, [subject, "", dueLine(reminder.due), "", "\(publicURL)/employers/\(reminder.employerID)"], []
            )
        case .weeklySummary(let summary):
            var lines = [
                "Charter weekly summary, week ending \(summary.weekEnding)", "",
                "Employers pledged: \(summary.employersPledged)",
                "Returns received this week: \(summary.returnsReceivedThisWeek)",
                "Flags opened this week: \(summary.flagsOpenedThisWeek)",
                "Flags cleared this week: \(summary.flagsClearedThisWeek)", "", "Open flags by severity:",
            ]
            lines += summary.openFlagsBySeverity.map { "- \($0.label): \($0.count)" }
            lines += ["", "Flags by state:"] + summary.flagsByState.map { "- \($0.label): \($0.count)" }
            lines += ["", "Returns missing:"]
            lines += summary.missingReturns.map { "- \($0.employerName): \(dueLine($0.due).dropFirst(2))" }
            lines += ["", "Audit chain head: \(summary.auditChainHead) (\(summary.auditRows) rows)"]
            return ("Charter weekly summary, week ending \(summary.weekEnding)", lines, [])
        case .flagNotice(let notice):
            let flag = notice.flag
            let subject = "\(flag.employerName): \(flag.standardID) \(flag.period) \(notice.event.rawValue)"
            var lines = ["\(notice.actor) \(notice.event.rawValue) flag \(flag.id).", ""] + flagLines([flag])
            if let note = notice.note { lines += ["", "Note:", note] }
            lines += ["", "\(publicURL)/flags/\(flag.id)"]
            return (subject, lines, [flag])
        }
    }

    /// The flags as CSV (RFC 4180, CRLF), cells that a spreadsheet would run as a formula neutralised.
    static func csv(_ flags: [ReportFlag]) -> [UInt8] {
        func cell(_ text: String) -> String {
            var text = text
            if let first = text.first, "=+-@".contains(first) { text = "'" + text }
            return text.contains(where: { ",\"\r\n".contains($0) })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var rows = ["flag_id,employer,standard_id,period,subject,severity,state,change"]
        for flag in flags {
            rows.append(
                [
                    String(flag.id), flag.employerName, flag.standardID, flag.period.description, flag.subject,
                    flag.severity.rawValue, flag.state.rawValue, flag.change.rawValue,
                ].map(cell).joined(separator: ","))
        }
        return Array((rows.joined(separator: "\r\n") + "\r\n").utf8)
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}

extension ReportFlag {
    /// The columns of a report's flags CSV, in order.
    public static let csvHeader = [
        "flag_id", "employer_id", "employer", "standard", "standard_title", "period", "subject", "severity",
        "state", "change", "evidence", "link",
    ]

    /// The flags a report lists as a CSV file (RFC 4180, CRLF, every cell neutralised against formulas:
    /// employer names, subjects and evidence are typed by people), one row per flag under `csvHeader`.
    ///
    /// The evidence lines share one cell, separated by line breaks (a quoted field may hold them), so a
    /// spreadsheet keeps one row per flag; `link` is the flag's web page under `publicURL`.
    public static func csv(_ flags: [ReportFlag], publicURL: String) -> String {
        var text = ""
        text.reserveCapacity(160 * (flags.count + 1))
        CSVWriter.append(csvHeader, to: &text)
        for flag in flags {
            CSVWriter.append(
                [
                    String(flag.id), String(flag.employerID), flag.employerName, flag.standardID,
                    flag.standardTitle ?? "", flag.period.description, flag.subject, flag.severity.rawValue,
                    flag.state.rawValue, flag.change.rawValue, flag.evidence.joined(separator: "\n"),
                    "\(publicURL)/flags/\(flag.id)",
                ], to: &text)
        }
        return text
    }
}

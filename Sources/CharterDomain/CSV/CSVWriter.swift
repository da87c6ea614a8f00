/// Writes CSV files people open in a spreadsheet: RFC 4180 quoting, CRLF record ends, and every cell
/// that a spreadsheet would take for a formula neutralised (SPEC §8).
///
/// Exports carry text that employers and reps typed (flag subjects, notes, employer names). A cell such
/// as `=HYPERLINK("http://evil.example","click")` or `@SUM(…)` runs as a formula when the file is opened
/// in Excel or LibreOffice (CSV injection). Following OWASP's advice, a cell that begins with `=`, `+`,
/// `-`, `@`, a tab or a carriage return gets a leading `'`, which spreadsheets show as text and never
/// evaluate. That also turns `-3` into `'-3`: a reader loses nothing, and a number we mean as a number
/// never starts with a sign in our exports.
public enum CSVWriter {
    /// The first characters that make a spreadsheet read a cell as a formula (or, for tab and CR,
    /// that some spreadsheets strip before doing so).
    public static let formulaTriggers: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// `cell` with a `'` in front when it begins with a formula trigger, otherwise unchanged.
    public static func neutralised(_ cell: String) -> String {
        guard let first = cell.unicodeScalars.first, formulaTriggers.contains(first) else { return cell }
        return "'" + cell
    }

    /// `cell` as it goes in the file: neutralised, then quoted when it holds a comma, a double quote,
    /// CR or LF (a double quote doubled inside), as RFC 4180 §2 requires.
    public static func field(_ cell: String) -> String {
        let safe = neutralised(cell)
        var needsQuotes = false
        for byte in safe.utf8
        where byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 0x0A || byte == 0x0D {
            needsQuotes = true
            break
        }
        guard needsQuotes else { return safe }
        var quoted = "\""
        for character in safe {
            if character == "\"" { quoted += "\"" }
            quoted.append(character)
        }
        return quoted + "\""
    }

    /// A whole file: the header row, then one record per row, each ended by CRLF.
    ///
    /// The header goes through the same neutralising and quoting as the data, so a template author's
    /// column name cannot break the file either.
    public static func document(header: [String], rows: [[String]]) -> String {
        var text = ""
        text.reserveCapacity(64 * (rows.count + 1))
        append(header, to: &text)
        for row in rows { append(row, to: &text) }
        return text
    }

    /// Appends one record and its CRLF to `text`.
    public static func append(_ record: [String], to text: inout String) {
        for (index, cell) in record.enumerated() {
            if index > 0 { text += "," }
            text += field(cell)
        }
        text += "\r\n"
    }
}

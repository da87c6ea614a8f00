/// A kind of free text the service accepts and stores, with the most it may hold: the one place
/// where each such limit is decided (SPEC §8: "every text field has a length limit").
///
/// The API, the pages and `charterctl` all reach the stores, and the stores check each text against
/// its field here before any SQL runs, so a 100,000-character employer name is refused with a
/// sentence naming the field and its limit instead of being stored. openapi.yaml states the same
/// limits as `maxLength`.
///
/// Lengths count Unicode scalars (what JSON Schema's `maxLength` counts). Text on one line (names,
/// emails, labels) may not hold control characters other than tab; text that may span lines (notes,
/// reasons, addresses) may also hold line breaks. Text stored before these checks may still hold
/// them, which is why every place that shows stored text escapes them (`escapingControlCharacters`).
public struct TextField: Sendable, Hashable {
    /// The field's name in the API and the forms, e.g. `name`, `action_plan`.
    public let field: String
    /// What it is, in a sentence: "an employer's name".
    public let what: String
    /// The most Unicode scalars it may hold.
    public let maxLength: Int
    /// Whether line breaks are allowed.
    public let multiline: Bool

    public init(_ field: String, _ what: String, maxLength: Int, multiline: Bool = false) {
        self.field = field
        self.what = what
        self.maxLength = maxLength
        self.multiline = multiline
    }

    /// What is wrong with `text` for this field, as a sentence naming the field, or nil when it is fine.
    public func problem(with text: String) -> String? {
        // Counting scalars walks the text; most text is short enough in bytes to need no count.
        if text.utf8.count > maxLength {
            let length = text.unicodeScalars.count
            if length > maxLength {
                return "\(field) is \(length.grouped) characters long; \(what) may be at most"
                    + " \(maxLength.grouped) characters"
            }
        }
        for (position, scalar) in text.unicodeScalars.enumerated() where !allows(scalar) {
            let shown = String(Character(scalar)).escapingControlCharacters
            let kind = scalar == "\n" || scalar == "\r" ? "a line break" : "a control character (\(shown))"
            return "\(field) holds \(kind) at character \(position + 1); \(what) must be"
                + (multiline ? " plain text" : " plain text on one line")
        }
        return nil
    }

    /// `text`, or a `CharterDomainError` (`.invalidText`, naming this field) saying what is wrong with it.
    public func check(_ text: String) throws(CharterDomainError) {
        if let problem = problem(with: text) {
            throw CharterDomainError(.invalidText, problem, field: field)
        }
    }

    /// Checks `text` when there is one.
    public func check(_ text: String?) throws(CharterDomainError) {
        if let text { try check(text) }
    }

    private func allows(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09: true
        case 0x0A, 0x0D: multiline
        case 0x00...0x1F, 0x7F...0x9F: false
        default: true
        }
    }
}

extension TextField {
    public static let employerName = TextField("name", "an employer's name", maxLength: 200)
    public static let address = TextField("address", "an address", maxLength: 500, multiline: true)
    public static let postcode = TextField("postcode", "a postcode", maxLength: 16)
    public static let sizeBand = TextField("size_band", "a size band", maxLength: 100)
    public static let sicCode = TextField("sic_codes", "a SIC code", maxLength: 100)
    public static let contactName = TextField("name", "a contact's name", maxLength: 200)
    public static let contactRole = TextField("role", "a contact's role", maxLength: 100)
    /// RFC 5321's longest forward path less its angle brackets.
    public static let email = TextField("email", "an email address", maxLength: 254)
    public static let repName = TextField("name", "a rep's name", maxLength: 200)
    public static let unionName = TextField("union_name", "a union's name", maxLength: 200)
    public static let displayName = TextField("display_name", "a user's name", maxLength: 200)
    public static let tokenLabel = TextField("label", "a token's label", maxLength: 100)
    public static let standardID = TextField("standard_id", "a standard id", maxLength: 100)
    public static let charterVersionLabel = TextField("charter_version", "a charter version's label", maxLength: 100)
    public static let exemptionReason = TextField(
        "reason", "an exemption's reason", maxLength: 2_000, multiline: true)
    public static let flagNote = TextField("note", "a note", maxLength: 4_000, multiline: true)
    public static let explanation = TextField("explanation", "an explanation", maxLength: 4_000, multiline: true)
    public static let actionPlan = TextField("action_plan", "an action plan", maxLength: 4_000, multiline: true)
    public static let supplier = TextField("supplier", "a contractor's supplier", maxLength: 200)
    public static let service = TextField("service", "a contractor's service", maxLength: 200)
    public static let applicationNote = TextField("note", "an application's note", maxLength: 4_000, multiline: true)
    public static let applicationPlan = TextField("plan", "a plan", maxLength: 4_000, multiline: true)
    public static let decisionReasons = TextField("reasons", "a decision's reasons", maxLength: 4_000, multiline: true)
    public static let questions = TextField("questions", "the questions", maxLength: 4_000, multiline: true)
    public static let evidenceFilename = TextField("filename", "a file's name", maxLength: 200)
}

extension Int {
    /// The number with thousands separated by commas, as the messages write limits: 4,000.
    var grouped: String {
        let digits = String(magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (self < 0 ? "-" : "") + out
    }
}

/// An employer as the UK Gender Pay Gap service lists it, ready for the employer register.
///
/// Values are already cleaned: text trimmed, blanks as nil, the company number normalised and
/// checked, SIC codes split into separate codes. The `line` says where in the file it came from
/// so an import can point back at the row.
public struct GPGEmployer: Sendable, Hashable {
    /// Physical line of the CSV where the row starts (the header is line 1).
    public var line: Int
    /// The GPG service's own employer number (`EmployerId`); stable across reporting years.
    public var gpgEmployerID: Int64
    /// `CurrentName` when the file gives one, else `EmployerName`: the name the employer goes by now.
    public var name: String
    public var address: String?
    public var postcode: String?
    /// Nil when the file has none, or has one that is not a Companies House number (a warning says so).
    public var companyNumber: CompanyNumber?
    /// SIC 2007 codes as text, in the file's order, without blanks or repeats
    /// (the GPG service uses `1` for public-sector employers).
    public var sicCodes: [String]
    /// The service's size band as written (`"5000 to 19,999"`); nil when blank or "Not Provided".
    public var sizeBand: String?
    /// Who signed the GPG report ("Name (Job title)"); useful when finding a contact.
    public var responsiblePerson: String?

    public init(
        line: Int, gpgEmployerID: Int64, name: String, address: String? = nil, postcode: String? = nil,
        companyNumber: CompanyNumber? = nil, sicCodes: [String] = [], sizeBand: String? = nil,
        responsiblePerson: String? = nil
    ) {
        self.line = line
        self.gpgEmployerID = gpgEmployerID
        self.name = name
        self.address = address
        self.postcode = postcode
        self.companyNumber = companyNumber
        self.sicCodes = sicCodes
        self.sizeBand = sizeBand
        self.responsiblePerson = responsiblePerson
    }
}

/// Whether an employer is a company, a public body or a charity (SPEC §2).
public enum Sector: String, Sendable, Hashable, CaseIterable, Codable {
    case `private`, `public`, voluntary
}

/// An organisation that pledges to the charter (SPEC §2).
public struct Employer: Sendable, Hashable, Codable {
    /// The database id; nil until stored.
    public var id: Int64?
    public var name: String
    /// Optional for public bodies.
    public var companyNumber: CompanyNumber?
    /// The employer's id in the Gender Pay Gap service, when it was imported from there.
    public var gpgEmployerID: Int64?
    public var sicCodes: [String]
    /// As the source gave it, e.g. "250 to 499".
    public var sizeBand: String?
    public var sector: Sector
    public var hasLondonWorkplaces: Bool
    public var address: String?
    public var postcode: String?

    public init(
        id: Int64? = nil, name: String, companyNumber: CompanyNumber? = nil, gpgEmployerID: Int64? = nil,
        sicCodes: [String] = [], sizeBand: String? = nil, sector: Sector = .private, hasLondonWorkplaces: Bool = false,
        address: String? = nil, postcode: String? = nil
    ) {
        self.id = id
        self.name = name
        self.companyNumber = companyNumber
        self.gpgEmployerID = gpgEmployerID
        self.sicCodes = sicCodes
        self.sizeBand = sizeBand
        self.sector = sector
        self.hasLondonWorkplaces = hasLondonWorkplaces
        self.address = address
        self.postcode = postcode
    }
}

/// One signatory on the public register (SPEC §10): who has signed the charter, at which tier, since
/// when, in which sector — and nothing else. The register is public, so it holds nothing of returns,
/// flags or workers; the type has no room for them.
public struct RegisterEntry: Sendable, Hashable, Codable {
    /// The employer's name.
    public var name: String
    /// Its Companies House number; nil for a public body or charity without one.
    public var companyNumber: CompanyNumber?
    /// Private, public or voluntary.
    public var sector: Sector
    /// The tier of the pledge in force.
    public var tier: Tier
    /// The day the pledge in force began.
    public var pledgedOn: CalendarDate

    public init(name: String, companyNumber: CompanyNumber?, sector: Sector, tier: Tier, pledgedOn: CalendarDate) {
        self.name = name
        self.companyNumber = companyNumber
        self.sector = sector
        self.tier = tier
        self.pledgedOn = pledgedOn
    }

    enum CodingKeys: String, CodingKey {
        case name
        case companyNumber = "company_number"
        case sector, tier
        case pledgedOn = "pledged_on"
    }

    /// The register's columns, in the order the page, the CSV and the JSON give them.
    public static let columns = ["name", "company_number", "sector", "tier", "pledged_on"]

    /// The entry's cells in `columns` order.
    public var cells: [String] {
        [name, companyNumber?.description ?? "", sector.rawValue, tier.rawValue, pledgedOn.description]
    }
}

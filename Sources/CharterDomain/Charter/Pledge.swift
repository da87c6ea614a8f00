/// An employer's commitment to a charter version at a tier over a date range (SPEC §2).
///
/// The range is half-open, `[validFrom, validTo)`, as in the `pledges` table's exclusion
/// constraint: a pledge ending on 2026-04-01 and one starting that day do not overlap. An
/// open-ended pledge has no `validTo`. Values are fixed once made, so a pledge that passed its
/// checks stays valid; to change one, make a new one.
public struct Pledge: Sendable, Hashable {
    public let employerID: Int64
    public let charterVersionID: Int64
    public let tier: Tier
    /// The optional Living Hours commitment (LWF): turns on `hours.living-hours-minimum`.
    public let livingHours: Bool
    public let overrides: PledgeOverrides
    /// First day the pledge applies.
    public let validFrom: CalendarDate
    /// First day it no longer applies; nil while it runs on.
    public let validTo: CalendarDate?

    /// Refuses a pledge that ends on or before the day it starts.
    ///
    /// Overrides are checked separately with `check(against:)`, since that needs the charter
    /// version's standards.
    public init(
        employerID: Int64, charterVersionID: Int64, tier: Tier, livingHours: Bool = false,
        overrides: PledgeOverrides = PledgeOverrides(), validFrom: CalendarDate, validTo: CalendarDate? = nil
    ) throws(CharterDomainError) {
        if let validTo, validTo <= validFrom {
            throw CharterDomainError(
                .invalidPledge,
                "a pledge must end after it starts; it starts on \(validFrom) and ends on \(validTo)")
        }
        self.employerID = employerID
        self.charterVersionID = charterVersionID
        self.tier = tier
        self.livingHours = livingHours
        self.overrides = overrides
        self.validFrom = validFrom
        self.validTo = validTo
    }

    /// Whether the pledge applies on `date`.
    public func isInForce(on date: CalendarDate) -> Bool {
        validFrom <= date && (validTo.map { date < $0 } ?? true)
    }

    /// Throws unless the overrides only tighten the charter version's standards (see `PledgeOverrides.check`).
    public func check(against defaults: [String: StandardDefaults]) throws(CharterDomainError) {
        try overrides.check(against: defaults)
    }

    /// The parameters `standardID` is evaluated with for this pledge; nil when the charter version
    /// has no such standard.
    public func effectiveParameters(
        of standardID: String, in defaults: [String: StandardDefaults]
    ) -> [String: ParameterValue]? {
        defaults[standardID].map { overrides.effectiveParameters(of: standardID, defaults: $0) }
    }
}

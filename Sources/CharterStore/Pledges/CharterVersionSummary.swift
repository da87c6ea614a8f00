public import CharterDomain
public import Foundation

/// A charter version as the workspace lists it, without its standards.
public struct CharterVersionSummary: Sendable, Hashable {
    public var id: Int64
    public var label: String
    public var effectiveFrom: CalendarDate
    public var isDraft: Bool
    public var createdAt: Date
    /// How many pledges name it.
    public var pledges: Int

    public init(id: Int64, label: String, effectiveFrom: CalendarDate, isDraft: Bool, createdAt: Date, pledges: Int) {
        self.id = id
        self.label = label
        self.effectiveFrom = effectiveFrom
        self.isDraft = isDraft
        self.createdAt = createdAt
        self.pledges = pledges
    }
}

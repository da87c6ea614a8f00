/// The five pillars the charter's standards are grouped under (SPEC §4).
public enum Pillar: String, Sendable, Hashable, CaseIterable, Codable {
    case fair, healthy, just, inclusive, governance
}

/// One standard of a charter version: its id (as in SPEC §4), pillar, parameters and how serious a
/// breach is at each tier.
public struct Standard: Sendable, Hashable {
    /// The SPEC's id, e.g. `pay.real-living-wage`.
    public var id: String
    public var pillar: Pillar
    public var title: String
    public var defaults: StandardDefaults
    public var severityAspiring: Severity
    public var severityAccredited: Severity

    public init(
        id: String, pillar: Pillar, title: String, defaults: StandardDefaults, severityAspiring: Severity,
        severityAccredited: Severity
    ) {
        self.id = id
        self.pillar = pillar
        self.title = title
        self.defaults = defaults
        self.severityAspiring = severityAspiring
        self.severityAccredited = severityAccredited
    }

    /// The severity of a breach for an employer at `tier`; `off` means the standard is not evaluated.
    public func severity(for tier: Tier) -> Severity {
        switch tier {
        case .aspiring: severityAspiring
        case .accredited: severityAccredited
        }
    }
}

/// The standards in force from a date, with the version-wide parameters (SPEC §2). Immutable once an
/// employer has pledged to it: a change makes a new version.
public struct CharterVersion: Sendable, Hashable {
    public var id: Int64
    public var label: String
    public var effectiveFrom: CalendarDate
    /// Days after the snapshot a return is due (before moving to a working day). Default
    /// `defaultReturnDueDays`.
    public var returnDueDays: Int
    /// Less notice than this makes a shift "short notice". Default 28.
    public var shiftNoticeDays: Int
    public var isDraft: Bool
    public var standards: [Standard]

    /// Days after the snapshot a return is due when a version's parameters do not say (SPEC §2), and when
    /// no version applies at all: the one default every reader of due days uses.
    public static let defaultReturnDueDays = 30

    public init(
        id: Int64, label: String, effectiveFrom: CalendarDate, returnDueDays: Int = CharterVersion.defaultReturnDueDays,
        shiftNoticeDays: Int = 28,
        isDraft: Bool = false, standards: [Standard]
    ) {
        self.id = id
        self.label = label
        self.effectiveFrom = effectiveFrom
        self.returnDueDays = returnDueDays
        self.shiftNoticeDays = shiftNoticeDays
        self.isDraft = isDraft
        self.standards = standards
    }

    /// One standard by its SPEC id.
    public func standard(_ id: String) -> Standard? { standards.first { $0.id == id } }

    /// Each standard's parameters by id: what a pledge's overrides are checked against.
    public var defaults: [String: StandardDefaults] {
        Dictionary(uniqueKeysWithValues: standards.map { ($0.id, $0.defaults) })
    }

    /// The due date of a period's return under this version.
    public func dueDate(of period: ReportingPeriod, holidays: BankHolidays) -> CalendarDate {
        period.dueDate(returnDueDays: returnDueDays, holidays: holidays)
    }
}

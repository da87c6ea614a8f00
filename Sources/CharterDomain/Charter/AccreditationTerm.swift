/// How long an accreditation lasts and what is due as it nears its end (SPEC §10 "Renewal").
///
/// An accreditation lasts `months` (the charter version's `accreditation_months`, default 24) from the
/// start of the accredited pledge in force; it lapses on that start plus `months`, clamped to the end of
/// the month (31 Aug + 6 months is 28 or 29 Feb). The employer is reminded 90, 30 and 7 days before.
public struct AccreditationTerm: Sendable, Hashable {
    /// The charter-version parameter that sets the term.
    public static let parameterName = "accreditation_months"
    /// The term when a charter version does not set one.
    public static let defaultMonths = 24

    /// A reminder before the lapse.
    public enum Rung: String, Sendable, Hashable, Codable, CaseIterable {
        case ninetyDays = "90-days"
        case thirtyDays = "30-days"
        case sevenDays = "7-days"

        /// Days before the lapse that this rung is sent.
        public var daysBeforeLapse: Int {
            switch self {
            case .ninetyDays: 90
            case .thirtyDays: 30
            case .sevenDays: 7
            }
        }
    }

    /// What an accredited pledge calls for on a day.
    public enum Step: Sendable, Hashable {
        /// Nothing yet: more than 90 days to go.
        case none
        /// The reminder of this rung (sent once; a day missed is made up the next day).
        case reminder(Rung)
        /// The lapse day has come (or passed): the accredited pledge ends and an aspiring one continues.
        case lapse
    }

    /// Whole months the accreditation lasts (at least 1).
    public let months: Int

    /// The term of a charter version whose `accreditation_months` is `months`: the default when absent,
    /// or when it is not a whole number of months from 1 to 120 (a charter version is checked when it is
    /// drafted; this keeps a stored oddity from lapsing everyone at once).
    public init(months: Double?) {
        if let months, months.rounded() == months, (1...120).contains(months) {
            self.months = Int(months)
        } else {
            self.months = Self.defaultMonths
        }
    }

    /// The day the accreditation of a pledge starting on `start` lapses: the first day it no longer
    /// applies (the accredited pledge's `valid_to`), `start` plus `months` clamped to the month's end.
    public func lapseDate(start: CalendarDate) -> CalendarDate {
        start.adding(months: months)
    }

    /// What is due `daysUntilLapse` days before the lapse: the reminder of the nearest rung at or above
    /// it (so 90…31 days is the 90-day rung, 30…8 the 30-day, 7…1 the 7-day), the lapse at 0 or less,
    /// nothing beyond 90. Reminders are keyed per pledge and rung, so each is sent once however many
    /// days fall in its window.
    public static func step(daysUntilLapse days: Int) -> Step {
        if days <= 0 { return .lapse }
        guard let rung = Rung.allCases.reversed().first(where: { days <= $0.daysBeforeLapse }) else { return .none }
        return .reminder(rung)
    }
}

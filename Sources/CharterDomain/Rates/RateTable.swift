public import Foundation

/// One Real Living Wage rate year (Living Wage Foundation).
public struct RealLivingWageRate: Sendable, Hashable, Codable {
    public var rateYear: String
    public var uk: Decimal
    public var london: Decimal
    public var announcedOn: CalendarDate
    /// Employers must pay it from this date (1 May of the following year).
    public var deadline: CalendarDate

    public init(rateYear: String, uk: Decimal, london: Decimal, announcedOn: CalendarDate, deadline: CalendarDate) {
        self.rateYear = rateYear
        self.uk = uk
        self.london = london
        self.announcedOn = announcedOn
        self.deadline = deadline
    }

    public func rate(london isLondon: Bool) -> Decimal { isLondon ? london : uk }
}

/// The statutory minimum wage bands from an effective date (1 April).
public struct MinimumWageRates: Sendable, Hashable, Codable {
    public var effectiveFrom: CalendarDate
    public var rates: [MinimumWageBand: Decimal]

    public init(effectiveFrom: CalendarDate, rates: [MinimumWageBand: Decimal]) {
        self.effectiveFrom = effectiveFrom
        self.rates = rates
    }
}

/// The pay rates a return is judged against, with "in force on date" lookups.
///
/// Rates are data (seeded from SPEC §2, updated with `charterctl rates add`), never code.
/// A date with no rate in force is an error, never a silent pass.
public struct RateTable: Sendable, Hashable {
    public let realLivingWage: [RealLivingWageRate]
    public let minimumWage: [MinimumWageRates]

    public init(realLivingWage: [RealLivingWageRate], minimumWage: [MinimumWageRates]) {
        self.realLivingWage = realLivingWage.sorted { $0.deadline < $1.deadline }
        self.minimumWage = minimumWage.sorted { $0.effectiveFrom < $1.effectiveFrom }
    }

    /// The Real Living Wage in force on `date`: the latest rate whose deadline is on or before it.
    public func realLivingWageInForce(on date: CalendarDate) throws(CharterDomainError) -> RealLivingWageRate {
        guard let rate = realLivingWage.last(where: { $0.deadline <= date }) else {
            let earliest = realLivingWage.first.map { " (the earliest takes effect on \($0.deadline))" } ?? ""
            throw CharterDomainError(.noRateInForce, "no Real Living Wage rate is in force on \(date)\(earliest)")
        }
        return rate
    }

    /// The Real Living Wage in force on `date`, London or UK-wide.
    public func realLivingWage(on date: CalendarDate, london: Bool) throws(CharterDomainError) -> Decimal {
        try realLivingWageInForce(on: date).rate(london: london)
    }

    /// A rate announced on or before `date` whose deadline is still after it: the uplift workers
    /// below it should get by the deadline (`pay.rlw-uplift-upcoming`).
    public func upcomingRealLivingWage(on date: CalendarDate) -> RealLivingWageRate? {
        realLivingWage.last { $0.announcedOn <= date && $0.deadline > date }
    }

    /// The statutory minimum for a worker on `date`.
    ///
    /// The apprentice rate applies to an apprentice under 19 (`under_18`, `18`), or of any age in
    /// the first year of the apprenticeship; other apprentices get their age band's rate.
    public func minimumWage(
        on date: CalendarDate, ageBand: AgeBand, apprentice: Bool, apprenticeFirstYear: Bool
    ) throws(CharterDomainError) -> Decimal {
        guard let rates = minimumWage.last(where: { $0.effectiveFrom <= date }) else {
            let earliest = minimumWage.first.map { " (the earliest takes effect on \($0.effectiveFrom))" } ?? ""
            throw CharterDomainError(.noRateInForce, "no statutory minimum wage is in force on \(date)\(earliest)")
        }
        let onApprenticeRate = apprentice && (ageBand == .under18 || ageBand == .eighteen || apprenticeFirstYear)
        let band = onApprenticeRate ? MinimumWageBand.apprentice : ageBand.minimumWageBand
        guard let rate = rates.rates[band] else {
            throw CharterDomainError(
                .noRateInForce,
                "the statutory minimum wage from \(rates.effectiveFrom) has no rate for the \(band.rawValue) band")
        }
        return rate
    }

    /// The rates of SPEC §2, as the first migration seeds them; for tests and previews.
    public static let specDefaults: RateTable = {
        func date(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }
        func money(_ text: String) -> Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))! }
        return RateTable(
            realLivingWage: [
                RealLivingWageRate(
                    rateYear: "2023-24", uk: money("12.00"), london: money("13.15"), announcedOn: date("2023-10-24"),
                    deadline: date("2024-05-01")),
                RealLivingWageRate(
                    rateYear: "2024-25", uk: money("12.60"), london: money("13.85"), announcedOn: date("2024-10-23"),
                    deadline: date("2025-05-01")),
                RealLivingWageRate(
                    rateYear: "2025-26", uk: money("13.45"), london: money("14.80"), announcedOn: date("2025-10-22"),
                    deadline: date("2026-05-01")),
            ],
            minimumWage: [
                MinimumWageRates(
                    effectiveFrom: date("2024-04-01"),
                    rates: [
                        .twentyOnePlus: money("11.44"), .eighteenToTwenty: money("8.60"), .under18: money("6.40"),
                        .apprentice: money("6.40"),
                    ]),
                MinimumWageRates(
                    effectiveFrom: date("2025-04-01"),
                    rates: [
                        .twentyOnePlus: money("12.21"), .eighteenToTwenty: money("10.00"), .under18: money("7.55"),
                        .apprentice: money("7.55"),
                    ]),
                MinimumWageRates(
                    effectiveFrom: date("2026-04-01"),
                    rates: [
                        .twentyOnePlus: money("12.71"), .eighteenToTwenty: money("10.85"), .under18: money("8.00"),
                        .apprentice: money("8.00"),
                    ]),
            ])
    }()
}

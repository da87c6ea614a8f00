public import Foundation

/// A calendar quarter, `YYYY-Qn` (Q1 = January–March), the unit employers report in.
public struct ReportingPeriod: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let year: Int
    public let quarter: Int

    public init?(year: Int, quarter: Int) {
        guard (1...4).contains(quarter), (1900...9999).contains(year) else { return nil }
        self.year = year
        self.quarter = quarter
    }

    /// Parses exactly `YYYY-Qn`, four ASCII digits of year, `-Q`, one digit of quarter.
    @inlinable
    public init?(_ text: some StringProtocol) {
        var year = 0
        var quarter = 0
        var position = 0
        for byte in text.utf8 {
            switch (position, byte) {
            case (0...3, UInt8(ascii: "0")...UInt8(ascii: "9")): year = year * 10 + Int(byte - UInt8(ascii: "0"))
            case (4, UInt8(ascii: "-")), (5, UInt8(ascii: "Q")): break
            case (6, UInt8(ascii: "0")...UInt8(ascii: "9")): quarter = Int(byte - UInt8(ascii: "0"))
            default: return nil
            }
            position += 1
        }
        guard position == 7 else { return nil }
        self.init(year: year, quarter: quarter)
    }

    /// The period containing `date`.
    public init(containing date: CalendarDate) {
        self.init(year: date.year, quarter: (date.month - 1) / 3 + 1)!
    }

    public var description: String { "\(year)-Q\(quarter)" }

    public static func < (lhs: ReportingPeriod, rhs: ReportingPeriod) -> Bool {
        (lhs.year, lhs.quarter) < (rhs.year, rhs.quarter)
    }

    /// The first day of the quarter.
    public var firstDay: CalendarDate { CalendarDate(year: year, month: (quarter - 1) * 3 + 1, day: 1)! }

    /// The snapshot date: the last day of the quarter.
    public var snapshot: CalendarDate {
        let month = quarter * 3
        return CalendarDate(year: year, month: month, day: CalendarDate.daysIn(month: month, year: year))!
    }

    public var previous: ReportingPeriod {
        quarter == 1 ? ReportingPeriod(year: year - 1, quarter: 4)! : ReportingPeriod(year: year, quarter: quarter - 1)!
    }

    public var next: ReportingPeriod {
        quarter == 4 ? ReportingPeriod(year: year + 1, quarter: 1)! : ReportingPeriod(year: year, quarter: quarter + 1)!
    }

    /// The due date: snapshot + `returnDueDays`, moved forward to the next working day in England
    /// and Wales (not a weekend, not a bank holiday).
    public func dueDate(returnDueDays: Int, holidays: BankHolidays) -> CalendarDate {
        holidays.nextWorkingDay(onOrAfter: snapshot.adding(days: returnDueDays))
    }

    /// The instant after which a return is late: the end of the due date (23:59:59) in Europe/London.
    public func lateAfter(returnDueDays: Int, holidays: BankHolidays) -> Date {
        dueDate(returnDueDays: returnDueDays, holidays: holidays).adding(days: 1).start(in: .europeLondon)
    }

    /// Whether a return received at `received` is late.
    public func isLate(received: Date, returnDueDays: Int, holidays: BankHolidays) -> Bool {
        received >= lateAfter(returnDueDays: returnDueDays, holidays: holidays)
    }

    /// The first day a return for the period can be sent: the day after its snapshot date (SPEC §2).
    public var firstDayToSend: CalendarDate { snapshot.adding(days: 1) }

    /// Why a return received at `instant` is refused, or nil when it may be accepted: a return is
    /// accepted only once the period's snapshot date has passed in Europe/London (SPEC §2), since
    /// figures "at the snapshot date" cannot be known before it.
    public func refusalBeforeItEnds(receivedAt instant: Date) -> String? {
        guard instant < firstDayToSend.start(in: .europeLondon) else { return nil }
        return "the period \(self) has not ended: its snapshot date is \(snapshot), so its return can be sent"
            + " from \(firstDayToSend)"
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let period = ReportingPeriod(text) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "\"\(text)\" is not a reporting period (YYYY-Qn, e.g. 2026-Q3)"))
        }
        self = period
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension TimeZone {
    /// The charter's time zone: due dates and schedules are in UK local time.
    public static let europeLondon = TimeZone(identifier: "Europe/London")!
}

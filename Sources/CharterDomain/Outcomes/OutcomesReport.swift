/// A period's outcomes with their trend: what `/outcomes`, `GET /v1/outcomes`, the CSV, the weekly
/// summary and `charterctl outcomes` show.
public struct OutcomesReport: Sendable, Hashable {
    /// The period asked for.
    public var current: RegionalOutcomes
    /// Up to the last 8 periods, oldest first, ending with `current`; periods before the first with a
    /// counted return are left out.
    public var trend: [RegionalOutcomes]

    public init(current: RegionalOutcomes, trend: [RegionalOutcomes]) {
        self.current = current
        self.trend = trend
    }

    public var period: ReportingPeriod { current.period }

    /// The period before `current`, when the trend has it.
    public var previous: RegionalOutcomes? { trend.count >= 2 ? trend[trend.count - 2] : nil }

    /// The same report as the public and reps see it (SPEC §11's suppression).
    public func suppressed() -> OutcomesReport {
        OutcomesReport(current: current.suppressed(), trend: trend.map { $0.suppressed() })
    }
}

public import CharterDomain
import CharterStore
import Foundation
public import PGClient

/// SPEC §11: the charter's outcomes, from the figures kept per return version (`OutcomeStore`) —
/// the latest accepted version of each employer's return for each period — aggregated by the pure
/// `RegionalOutcomes`. Who may see the full figures is `AccessPolicy`'s decision; this only computes.
public struct Outcomes: Sendable {
    public let pool: PGPool

    /// How many periods a trend covers at most.
    public static let trendLength = 8

    public init(pool: PGPool) {
        self.pool = pool
    }

    /// The outcomes of `period` (the latest with a counted return when nil) and its trend, full;
    /// nil when no period has a counted return. `employerIDs` narrows them to those employers (a rep's).
    public func report(period: ReportingPeriod? = nil, employerIDs: [Int64]? = nil) async throws -> OutcomesReport? {
        let store = OutcomeStore(pool: pool)
        let resolved: ReportingPeriod
        if let period {
            resolved = period
        } else if let latest = try await store.latestPeriod() {
            resolved = latest
        } else {
            return nil
        }
        var periods = [resolved]
        while periods.count < Self.trendLength { periods.append(periods[periods.count - 1].previous) }
        periods.reverse()
        let returns = try await store.returns(periods: periods, employerIDs: employerIDs)
        var trend = periods.map { RegionalOutcomes(period: $0, returns: returns[$0] ?? []) }
        while trend.count > 1, trend[0].region[.employersReporting] == 0 { trend.removeFirst() }
        return OutcomesReport(current: trend[trend.count - 1], trend: trend)
    }

    /// One period's outcomes with both breakdowns, without the trend (what the benchmark times).
    public func period(_ period: ReportingPeriod, employerIDs: [Int64]? = nil) async throws -> RegionalOutcomes {
        let returns = try await OutcomeStore(pool: pool).returns(periods: [period], employerIDs: employerIDs)
        return RegionalOutcomes(period: period, returns: returns[period] ?? [])
    }

    /// The latest period with a counted return of `employerID`; nil when it has none.
    public func latestPeriod(employerID: Int64) async throws -> ReportingPeriod? {
        try await OutcomeStore(pool: pool).latestPeriod(employerID: employerID)
    }

    /// An employer's own figures for `period`, full (an employer sees its own figures in full); nil
    /// when it has no counted return for the period.
    public func employer(_ employerID: Int64, period: ReportingPeriod) async throws -> OutcomeGroup? {
        let returns = try await OutcomeStore(pool: pool).returns(periods: [period], employerIDs: [employerID])
        guard let own = returns[period], !own.isEmpty else { return nil }
        return RegionalOutcomes(period: period, returns: own).region
    }
}

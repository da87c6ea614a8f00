import CharterDomain
import CharterStore
import Foundation
import PGClient

/// Judges returns by a charter version: the figures kept with each version for these criteria (else one
/// SQL pass over the lines of those without), history, then the pure rules.
/// Shared by the nightly run and the rule-change preview, so a preview judges exactly as a night would.
enum ReturnJudge {
    struct Verdict: Sendable {
        var item: PendingReturn
        /// The findings, or why the return could not be judged (e.g. no rate in force).
        var outcome: Result<[Finding], Failure>
        var zeroHoursShare: Decimal?
    }

    struct Failure: Error, Sendable {
        var message: String
    }

    /// What finding the figures cost: the time, and how many returns had none kept under their criteria and
    /// were measured from their worker lines.
    struct FiguresCost: Sendable {
        var time = Duration.zero
        var fromLines = 0
    }

    /// `group` must share period and pledge overrides (`PendingReturn.groupedByCriteria`).
    static func judge(
        _ group: [PendingReturn], by version: CharterVersion, rates: RateTable, holidays: BankHolidays,
        on connection: PGConnection
    ) async throws -> [Verdict] {
        var cost = FiguresCost()
        return try await judge(group, by: version, rates: rates, holidays: holidays, on: connection, cost: &cost)
    }

    /// As above, adding what finding the figures cost to `cost`.
    static func judge(
        _ group: [PendingReturn], by version: CharterVersion, rates: RateTable, holidays: BankHolidays,
        on connection: PGConnection, cost: inout FiguresCost
    ) async throws -> [Verdict] {
        guard !group.isEmpty else { return [] }
        let prepared = try await prepare(
            group, by: version, rates: rates, holidays: holidays, on: connection, cost: &cost)
        return try await prepared.verdicts()
    }

    /// A group read and ready to judge: everything the rules need, so judging it needs no connection.
    struct Prepared: Sendable {
        var group: [PendingReturn]
        var version: CharterVersion
        var rates: RateTable
        var parameters: [String: [String: ParameterValue]]
        /// Nil when the criteria could not be worked out (why is in `unjudgeable`).
        var criteria: ReturnFigures.Criteria?
        /// The version's standards matched with their rules; nil when it has one this build cannot check (each
        /// return's verdict then says so).
        var rulebook: ComplianceRules.Rulebook?
        var unjudgeable: String?
        /// Figures measured from the lines, by version id.
        var figures: [Int64: ReturnFigures] = [:]
        /// Figures kept with the versions, still packed: unpacked on the cores when the group is judged.
        var packed: [Int64: [UInt8]] = [:]
        var previousShare: [Int64: Decimal] = [:]
        var youngPeople: [Int64: [ReportingPeriod: Int]] = [:]
        var lateAfter: Date

        var period: ReportingPeriod { group[0].period }

        /// The rules applied to every return of the group: pure, and judged on every core.
        ///
        /// `judgedShares` are zero-hours shares of the previous period judged by the same run and not yet
        /// written (nil: judged with none); they stand in for what `return_evaluations` held when the group
        /// was read, so a run can read and judge one group while it is still writing the ones before.
        func verdicts(judgedShares: [Int64: Decimal?] = [:]) async throws -> [Verdict] {
            var merged = self.previousShare
            for (employer, share) in judgedShares {
                merged[employer] = share
            }
            let previousShare = merged
            guard let criteria else {
                // No rate in force at the snapshot: say so for each return; never a silent pass.
                let message = unjudgeable ?? "the criteria could not be worked out"
                return group.map {
                    Verdict(item: $0, outcome: .failure(Failure(message: message)), zeroHoursShare: nil)
                }
            }
            return try await group.concurrentMap { item in
                let measured: ReturnFigures?
                do {
                    measured = try figures[item.versionID] ?? packed[item.versionID].map(ReturnFigures.init(packed:))
                } catch {
                    return Verdict(
                        item: item,
                        outcome: .failure(Failure(message: "version \(item.versionNumber) cannot be judged: \(error)")),
                        zeroHoursShare: nil)
                }
                if item.linesPurged && measured == nil {
                    return Verdict(
                        item: item,
                        outcome: .failure(
                            Failure(
                                message:
                                    "version \(item.versionNumber) cannot be judged by these criteria: retention has "
                                    + "deleted its worker lines, and the figures kept with it were measured against "
                                    + "other parameters or rates")), zeroHoursShare: nil)
                }
                let itemFigures = measured ?? ReturnFigures()
                let input = EvaluationInput(
                    employerID: item.employerID, period: item.period, charterVersion: version, tier: item.tier,
                    livingHours: item.livingHours, parameters: parameters, returnVersionID: item.versionID,
                    returnVersionNumber: item.versionNumber, header: item.header, figures: itemFigures, rates: rates,
                    previousZeroHoursShare: previousShare[item.employerID],
                    youngPeopleByPeriod: youngPeople[item.employerID] ?? [:],
                    dataQualityWarnings: item.warnings, firstReceivedAt: item.firstReceivedAt, lateAfter: lateAfter)
                do {
                    return Verdict(
                        item: item,
                        outcome: .success(try ComplianceRules.evaluate(input, criteria: criteria, rulebook: rulebook)),
                        zeroHoursShare: itemFigures.zeroHoursSharePercent)
                } catch {
                    return Verdict(item: item, outcome: .failure(Failure(message: "\(error)")), zeroHoursShare: nil)
                }
            }
        }
    }

    /// The young people (`Attestations.youngPeople`) attested by returns a caller has read, by period and
    /// employer: each the return's latest version, nil where it attested neither figure.
    typealias YoungPeopleSeen = [ReportingPeriod: [Int64: Int?]]

    /// Reads what judging `group` (not empty) needs: the figures kept with each version for the group's
    /// criteria (else one SQL pass over the lines of those without) and the employers' history, apart from
    /// the young people attested in `knownYoungPeople` (a nightly run has read the earlier periods' returns).
    static func prepare(
        _ group: [PendingReturn], by version: CharterVersion, rates: RateTable, holidays: BankHolidays,
        knownYoungPeople: YoungPeopleSeen = [:], on connection: PGConnection, cost: inout FiguresCost
    ) async throws -> Prepared {
        let first = group[0]
        // Worked out once for the group, which shares period, charter version and overrides: the effective
        // parameters, and from them the criteria (as `Criteria(period:version:overrides:rates:)` would).
        let parameters = EvaluationInput.effectiveParameters(of: version, overrides: first.overrides)
        let lateAfter = first.period.lateAfter(returnDueDays: version.returnDueDays, holidays: holidays)
        var prepared = Prepared(
            group: group, version: version, rates: rates, parameters: parameters, lateAfter: lateAfter)
        let criteria: ReturnFigures.Criteria
        do {
            criteria = try ReturnFigures.Criteria(snapshot: first.period.snapshot, parameters: parameters, rates: rates)
        } catch {
            prepared.unjudgeable = error.message
            return prepared
        }
        prepared.criteria = criteria
        prepared.rulebook = try? ComplianceRules.Rulebook(version)
        let clock = ContinuousClock()
        let started = clock.now
        prepared.packed = try await ReturnFiguresStore.packedFigures(
            for: group.map(\.versionID), criteria: criteria, on: connection)
        let unkept = group.filter { prepared.packed[$0.versionID] == nil && !$0.linesPurged }.map(\.versionID)
        cost.fromLines += unkept.count
        if !unkept.isEmpty {
            prepared.figures = try await ReturnFiguresQuery.figures(for: unkept, criteria: criteria, on: connection)
        }
        cost.time += clock.now - started
        let context = try await history(
            for: group, lookback: EvaluationInput.youngPeopleLookback(in: parameters), known: knownYoungPeople,
            on: connection)
        prepared.previousShare = context.previousShare
        prepared.youngPeople = context.youngPeople
        return prepared
    }

    private static func history(
        for group: [PendingReturn], lookback: Int, known: YoungPeopleSeen, on connection: PGConnection
    ) async throws -> (previousShare: [Int64: Decimal], youngPeople: [Int64: [ReportingPeriod: Int]]) {
        let period = group[0].period
        var periods: [ReportingPeriod] = []
        var cursor = period
        for _ in 0..<max(lookback, 1) {
            periods.append(cursor)
            cursor = cursor.previous
        }
        let employers = group.map(\.employerID)
        var previousShare: [Int64: Decimal] = [:]
        for row in try await connection.query(
            """
            SELECT r.employer_id, e.zero_hours_share FROM returns r JOIN return_evaluations e ON e.return_id = r.id
            WHERE r.employer_id = ANY(\(employers)) AND r.period = \(period.previous.description)
              AND e.zero_hours_share IS NOT NULL
            """)
        {
            previousShare[try row.decode(Int64.self, column: "employer_id")] = try row.decode(
                Decimal.self, column: "zero_hours_share")
        }
        // Young people attested over the lookback: from the returns the caller has read already where it
        // has, else from each other period's latest version.
        var youngPeople: [Int64: [ReportingPeriod: Int]] = [:]
        var askedEmployers: [Int64] = []
        var askedPeriods: [String] = []
        for earlier in periods.dropFirst() {
            let seen = known[earlier] ?? [:]
            for employer in employers {
                if let read = seen[employer] {
                    if let attested = read { youngPeople[employer, default: [:]][earlier] = attested }
                } else {
                    askedEmployers.append(employer)
                    askedPeriods.append(earlier.description)
                }
            }
        }
        guard !askedEmployers.isEmpty else { return (previousShare, youngPeople) }
        for row in try await connection.query(
            """
            SELECT r.employer_id, r.period,
                   (v.header->'attestations'->>'apprentices')::int AS apprentices,
                   (v.header->'attestations'->>'work_placements')::int AS placements
            FROM unnest(\(askedEmployers)::bigint[], \(askedPeriods)::text[]) AS k (employer_id, period)
            JOIN returns r ON r.employer_id = k.employer_id AND r.period = k.period
            JOIN LATERAL (SELECT header FROM return_versions rv WHERE rv.return_id = r.id
                          ORDER BY rv.version_no DESC LIMIT 1) v ON true
            """)
        {
            var attestations = Attestations()
            attestations.apprentices = try row.decode(Int?.self, column: "apprentices")
            attestations.workPlacements = try row.decode(Int?.self, column: "placements")
            guard let attested = attestations.youngPeople,
                let reported = ReportingPeriod(try row.decode(String.self, column: "period"))
            else { continue }
            youngPeople[try row.decode(Int64.self, column: "employer_id"), default: [:]][reported] = attested
        }
        return (previousShare, youngPeople)
    }

}

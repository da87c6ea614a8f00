public import CharterDomain
import Foundation
public import PGClient

/// The pay rates (data, not code): read as a `RateTable`, added to with `charterctl rates add`.
public struct RateStore: Sendable {
    public let pool: PGPool

    public init(pool: PGPool) {
        self.pool = pool
    }

    /// Every Real Living Wage rate year and statutory minimum wage table.
    public func table() async throws -> RateTable {
        try await pool.withConnection { try await Self.table(on: $0) }
    }

    /// The same, on a connection the caller holds (inside its transaction).
    public static func table(on connection: PGConnection) async throws -> RateTable {
        let living = try await connection.query(
            """
            SELECT rate_year, uk, london, announced_on::text AS announced_on, deadline::text AS deadline
            FROM rlw_rates ORDER BY deadline
            """
        ).map { row in
            RealLivingWageRate(
                rateYear: try row.decode(String.self, column: "rate_year"),
                uk: try row.decode(Decimal.self, column: "uk"),
                london: try row.decode(Decimal.self, column: "london"),
                announcedOn: try Self.date(row, "announced_on"), deadline: try Self.date(row, "deadline"))
        }
        var minimum: [CalendarDate: [MinimumWageBand: Decimal]] = [:]
        for row in try await connection.query(
            "SELECT effective_from::text AS effective_from, band, rate FROM nmw_rates")
        {
            let band = try row.decode(String.self, column: "band")
            guard let parsed = MinimumWageBand(rawValue: band) else { continue }
            minimum[try Self.date(row, "effective_from"), default: [:]][parsed] = try row.decode(
                Decimal.self, column: "rate")
        }
        return RateTable(
            realLivingWage: living,
            minimumWage: minimum.map { MinimumWageRates(effectiveFrom: $0.key, rates: $0.value) })
    }

    /// Adds a Real Living Wage rate year; a year or deadline already present is a conflict unless
    /// `correcting`, which replaces the figures of a year already held (and refuses one that is not).
    ///
    /// Either way the outcome figures' `below_rlw` (SPEC §11) follow in the same transaction; the
    /// result is how many return versions' `below_rlw` moved.
    @discardableResult
    public func add(_ rate: RealLivingWageRate, actor: String, correcting: Bool = false) async throws -> Int {
        guard rate.deadline > rate.announcedOn else {
            throw CharterStoreError(
                .invalid, "the deadline \(rate.deadline) must be after the announcement \(rate.announcedOn)")
        }
        guard rate.uk > 0, rate.london > 0, rate.uk <= 500, rate.london <= 500 else {
            throw CharterStoreError(.invalid, "rates must be positive amounts in pounds per hour")
        }
        return try await pool.withTransaction { connection in
            if correcting {
                return try await Self.correct(rate, actor: actor, on: connection)
            }
            do {
                try await connection.execute(
                    """
                    INSERT INTO rlw_rates (rate_year, uk, london, announced_on, deadline)
                    VALUES (\(rate.rateYear), \(rate.uk), \(rate.london), \(rate.announcedOn.description)::date,
                            \(rate.deadline.description)::date)
                    """)
            } catch let error as PGError where error.sqlState == .uniqueViolation {
                throw CharterStoreError(
                    .conflict,
                    "a Real Living Wage rate for \(rate.rateYear) or with deadline \(rate.deadline) exists already")
            } catch let error as PGError where error.sqlState == .checkViolation {
                throw CharterStoreError(.invalid, "the rate year must look like 2026-27")
            }
            try await AuditTrail.append(
                on: connection, actor: actor, action: "rates.add", entity: "rlw_rate", entityID: rate.rateYear,
                details: [
                    "uk": "\(rate.uk)", "london": "\(rate.london)", "announced_on": rate.announcedOn.description,
                    "deadline": rate.deadline.description,
                ])
            return try await OutcomeStore.refreshBelowRealLivingWage(on: connection)
        }
    }

    /// Replaces a held rate year's figures, audited with the figures before and after.
    private static func correct(_ rate: RealLivingWageRate, actor: String, on connection: PGConnection) async throws
        -> Int
    {
        guard
            let before = try await connection.query(
                """
                SELECT uk::text AS uk, london::text AS london, announced_on::text AS announced_on,
                       deadline::text AS deadline
                FROM rlw_rates WHERE rate_year = \(rate.rateYear) FOR UPDATE
                """
            ).first
        else {
            throw CharterStoreError(
                .notFound, "there is no Real Living Wage rate for \(rate.rateYear) to correct; add it without --correct"
            )
        }
        do {
            try await connection.execute(
                """
                UPDATE rlw_rates SET uk = \(rate.uk), london = \(rate.london),
                    announced_on = \(rate.announcedOn.description)::date, deadline = \(rate.deadline.description)::date
                WHERE rate_year = \(rate.rateYear)
                """)
        } catch let error as PGError where error.sqlState == .uniqueViolation {
            throw CharterStoreError(.conflict, "another Real Living Wage rate has the deadline \(rate.deadline)")
        }
        let moved = try await OutcomeStore.refreshBelowRealLivingWage(on: connection)
        try await AuditTrail.append(
            on: connection, actor: actor, action: "rates.correct", entity: "rlw_rate", entityID: rate.rateYear,
            details: [
                "uk": "\(rate.uk)", "london": "\(rate.london)", "announced_on": rate.announcedOn.description,
                "deadline": rate.deadline.description, "uk_before": try before.decode(String.self, column: "uk"),
                "london_before": try before.decode(String.self, column: "london"),
                "announced_on_before": try before.decode(String.self, column: "announced_on"),
                "deadline_before": try before.decode(String.self, column: "deadline"),
                "outcome_figures_moved": moved,
            ])
        return moved
    }

    /// Adds the statutory minimum wage bands taking effect on a date; all four bands are needed.
    public func add(_ rates: MinimumWageRates, actor: String) async throws {
        let missing = MinimumWageBand.allCases.filter { rates.rates[$0] == nil }
        guard missing.isEmpty else {
            throw CharterStoreError(
                .invalid, "every band needs a rate; missing: \(missing.map(\.rawValue).joined(separator: ", "))")
        }
        try await pool.withTransaction { connection in
            for band in MinimumWageBand.allCases {
                let rate = rates.rates[band] ?? 0
                do {
                    try await connection.execute(
                        """
                        INSERT INTO nmw_rates (effective_from, band, rate)
                        VALUES (\(rates.effectiveFrom.description)::date, \(band.rawValue), \(rate))
                        """)
                } catch let error as PGError where error.sqlState == .uniqueViolation {
                    throw CharterStoreError(
                        .conflict, "statutory minimum wage rates from \(rates.effectiveFrom) exist already")
                }
            }
            try await AuditTrail.append(
                on: connection, actor: actor, action: "rates.add", entity: "nmw_rates",
                entityID: rates.effectiveFrom.description,
                details: Dictionary(uniqueKeysWithValues: rates.rates.map { ($0.key.rawValue, "\($0.value)") }))
        }
    }

    private static func date(_ row: PGRow, _ column: String) throws -> CalendarDate {
        let text = try row.decode(String.self, column: column)
        guard let date = CalendarDate(iso: text) else {
            throw CharterStoreError(.invalid, "stored \(column) \(text) is not a date")
        }
        return date
    }
}

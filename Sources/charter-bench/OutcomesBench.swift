import ArgumentParser
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import PGClient

/// A period's outcomes (SPEC §11) with both breakdowns, against one bare SQL aggregate over the same
/// worker lines, in the same run.
struct OutcomesBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outcomes",
        abstract: "A period's outcomes with both breakdowns vs one bare SQL aggregate over its worker lines.",
        discussion: """
            Generates EMPLOYERS employers with one 2026-Q3 return of LINES worker lines each, with the compliance \
            benchmark's generator (sectors, tiers, a spread of pay, zero-hours, agency staff, sex given), then \
            keeps their outcome figures with the migration's backfill (what ReturnStore keeps at submission). \
            Each round times `Outcomes.period` — the figures of every counted return read back and aggregated \
            for the region, each sector and each tier, medians included — and one bare aggregate over the \
            worker lines themselves (count, direct, below a rate, mean rate by sex), alternating which goes \
            first. Defaults: 10,000 × 100 = 1,000,000 lines; target ≤ 0.5 s. Build with -c release.
            """)

    @Option(help: "Employers to generate.") var employers = 10_000
    @Option(help: "Worker lines per return.") var lines = 100
    @Option(help: "Measured rounds; medians are reported.") var rounds = 5
    @Option(help: "Working directory for the throwaway cluster (without CHARTERD_DATABASE_URL).")
    var workDirectory = "/tmp/charter-bench-outcomes"

    func validate() throws {
        guard employers >= 1, lines >= 1, rounds >= 1 else {
            throw ValidationError("--employers, --lines and --rounds must each be at least 1")
        }
    }

    func run() async throws {
        try await withBenchDatabase(workDirectory: workDirectory) { conninfo, _ in
            try await measure(conninfo: conninfo)
        }
    }

    private func measure(conninfo: String) async throws {
        let connection = try await PGConnection.connect(conninfo)
        _ = try await CharterSchema.migrator().migrate(on: connection)
        let clock = ContinuousClock()
        let period = ReportingPeriod(year: 2026, quarter: 3)!
        let held = try await connection.query(
            """
            SELECT count(*) AS returns, coalesce(sum(o.lines), 0) AS lines
            FROM outcome_figures o JOIN return_versions v ON v.id = o.return_version_id
            WHERE v.submitted_by = 'bench-generator'
            """)[0]
        if try held.decode(Int.self, column: "returns") != employers
            || held.decode(Int.self, column: "lines") != employers * lines
        {
            print("generating \(employers) employers × 1 period × \(lines) lines…")
            let started = clock.now
            let generator = try ComplianceBench.parse([
                "--employers", "\(employers)", "--periods", "1", "--lines", "\(lines)",
            ])
            do {
                try await generator.generate(on: connection)
                _ = try await connection.query("SELECT backfill_outcome_figures()")
            } catch let error as PGError {
                throw BenchError("generating failed: \(String(reflecting: error))")
            }
            print(String(format: "generated and kept the figures in %.1f s", (clock.now - started).seconds))
        }
        try await connection.simpleQuery("VACUUM ANALYZE")

        var poolConfiguration = PGPoolConfiguration(conninfo: conninfo)
        poolConfiguration.maxConnections = 2
        let pool = PGPool(configuration: poolConfiguration)
        let outcomes = Outcomes(pool: pool)

        // The baseline: one pass over the period's worker lines computing a few of the same figures
        // straight from the lines, its one row fetched.
        func bareAggregate() async throws -> (lines: Int, seconds: Double) {
            let start = clock.now
            let row = try await connection.query(
                """
                SELECT count(*) AS lines, count(*) FILTER (WHERE l.employment_type = 'direct') AS direct,
                       count(*) FILTER (WHERE l.employment_type = 'direct' AND l.hourly_rate < 13.45) AS below,
                       avg(l.hourly_rate) FILTER (WHERE l.sex = 'male') AS male_mean,
                       avg(l.hourly_rate) FILTER (WHERE l.sex = 'female') AS female_mean
                FROM worker_lines l JOIN return_versions v ON v.id = l.return_version_id
                JOIN returns r ON r.id = v.return_id
                WHERE r.period = \(period.description)
                """)[0]
            return (try row.decode(Int.self, column: "lines"), (clock.now - start).seconds)
        }
        func figures() async throws -> (outcomes: RegionalOutcomes, seconds: Double) {
            let start = clock.now
            let result = try await outcomes.period(period)
            return (result, (clock.now - start).seconds)
        }
        _ = try await bareAggregate()
        _ = try await figures()
        var bares: [Double] = []
        var runs: [Double] = []
        for round in 1...rounds {
            var bare = (lines: 0, seconds: 0.0)
            var run: (outcomes: RegionalOutcomes, seconds: Double)
            if round % 2 == 1 {
                bare = try await bareAggregate()
                run = try await figures()
            } else {
                run = try await figures()
                bare = try await bareAggregate()
            }
            bares.append(bare.seconds)
            runs.append(run.seconds)
            let region = run.outcomes.region
            print(
                String(
                    format:
                        "round %d: outcomes of %@ employers, %@ lines, %d sector and %d tier groups in %.3f s; bare aggregate over %d lines in %.3f s",
                    round, OutcomeFigure.employersReporting.pageText(region[.employersReporting]),
                    OutcomeFigure.lines.pageText(region[.lines]), run.outcomes.bySector.count,
                    run.outcomes.byTier.count, run.seconds, bare.lines, bare.seconds))
        }
        let check = try await outcomes.period(period).region
        print(
            "region: below_rlw_share \(OutcomeFigure.belowRLWShare.pageText(check[.belowRLWShare])),"
                + " insecure_share \(OutcomeFigure.insecureShare.pageText(check[.insecureShare])),"
                + " pay_gap_median \(OutcomeFigure.payGapMedian.pageText(check[.payGapMedian]))")
        // What correcting a Real Living Wage rate costs: every kept below_rlw worked out again from the kept
        // in-scope rates (refresh_outcome_below_rlw, which `charterctl rates add --correct` runs in its
        // transaction), here with every row's figure cleared first so all of them are rewritten.
        var refreshes: [Double] = []
        for _ in 1...rounds {
            try await connection.execute("UPDATE outcome_figures SET below_rlw = NULL")
            let start = clock.now
            let moved = try await connection.query("SELECT refresh_outcome_below_rlw() AS moved")[0].decode(
                Int.self, column: "moved")
            refreshes.append((clock.now - start).seconds)
            if moved < employers { throw BenchError("the refresh rewrote \(moved) rows, not \(employers)") }
        }
        print(
            String(
                format: "below_rlw refreshed for all %d return versions in %.3f s (median)", employers, refreshes.median
            ))
        let bare = bares.median
        let run = runs.median
        print(
            String(
                format: "medians: outcomes with both breakdowns %.3f s (target ≤ 0.5 s), bare aggregate %.3f s", run,
                bare))
        print(String(format: "ratio (outcomes / bare aggregate): %.2f", run / bare))
        await pool.close()
        await connection.close()
    }
}

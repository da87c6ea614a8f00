import ArgumentParser
import CharterDomain
import CharterStore
import Foundation
import PGClient

/// The nightly compliance run over a large generated charter, next to the bare SQL aggregate over
/// the same worker lines, in the same run; then a second run with nothing new.
struct ComplianceBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compliance",
        abstract: "Nightly evaluation of a generated charter vs a bare GROUP BY over the same worker lines.",
        discussion: """
            The generator (in SQL, so it is quick to read and to run) creates EMPLOYERS employers (company
            numbers BE000001…), each pledged from 2025-01-01 (every third one accredited, every fifth with
            Living Hours), a return for each of PERIODS quarters up to 2026-Q3 received 20 days after the
            snapshot (every 25th employer late), and LINES worker lines per return: mostly direct permanent
            staff paid £15.00–£17.99 with a spread of breaches among clean employers: every tenth employer pays
            some staff below the Real Living Wage, every 97th below the minimum wage; every fourth uses a few
            zero-hours contracts (every twentieth without consent, every ninth with hours that outgrew the
            contract); every twelfth has overdue hours reviews, every fifteenth agency staff without parity;
            every fourteenth has a sick-pay waiting day and no equality audit. Defaults: 10,000 × 4 × 100 =
            4,000,000 lines.
            """)

    @Option(help: "Employers to generate.") var employers = 10_000
    @Option(help: "Quarters of returns per employer, ending 2026-Q3.") var periods = 4
    @Option(help: "Worker lines per return.") var lines = 100
    @Option(help: "Rounds of (bare aggregate, nightly run, second run); medians are reported.") var rounds = 3
    @Option(help: "Working directory for the throwaway cluster (without CHARTERD_DATABASE_URL).")
    var workDirectory = "/tmp/charter-bench-compliance"

    func run() async throws {
        try await withBenchDatabase(workDirectory: workDirectory) { conninfo, _ in
            try await measure(conninfo: conninfo)
        }
    }

    private func measure(conninfo: String) async throws {
        let connection = try await PGConnection.connect(conninfo)
        _ = try await CharterSchema.migrator().migrate(on: connection)
        let clock = ContinuousClock()
        let existing = try await connection.query(
            """
            SELECT count(*) AS n FROM worker_lines w JOIN return_versions v ON v.id = w.return_version_id
            WHERE v.submitted_by = 'bench-generator'
            """
        )[0].decode(Int.self, column: "n")
        if existing != employers * periods * lines {
            print("generating \(employers) employers × \(periods) periods × \(lines) lines…")
            let started = clock.now
            do {
                try await generate(on: connection)
            } catch let error as PGError {
                throw BenchError("generating failed: \(String(reflecting: error))")
            }
            print(String(format: "generated in %.1f s", (clock.now - started).seconds))
        }
        try await connection.simpleQuery("VACUUM ANALYZE")

        var poolConfiguration = PGPoolConfiguration(conninfo: conninfo)
        poolConfiguration.maxConnections = 4
        let pool = PGPool(configuration: poolConfiguration)
        let asOf = CalendarDate(iso: "2026-11-02") ?? CalendarDate(year: 2026, month: 11, day: 2)!

        // The baseline: one grouped pass over the same worker lines, its rows fetched like the run's
        // figures are. (Counting the groups in SQL instead would let the planner drop every
        // aggregate it is not asked for and time a bare GROUP BY of the keys.) Once unmeasured to
        // warm the caches, then alternating with the run, medians of the rounds.
        func bareAggregate() async throws -> (groups: Int, seconds: Double) {
            let start = clock.now
            let groups = try await connection.query(
                """
                SELECT return_version_id, count(*) AS lines, count(*) FILTER (WHERE employment_type = 'direct') AS direct,
                       count(*) FILTER (WHERE contract_type = 'zero_hours') AS zero_hours, min(hourly_rate) AS lowest,
                       sum(shifts_scheduled) AS scheduled, sum(shifts_short_notice) AS short_notice
                FROM worker_lines GROUP BY return_version_id
                """
            ).count
            return (groups, (clock.now - start).seconds)
        }
        _ = try await bareAggregate()
        var bares: [Double] = []
        var firsts: [Double] = []
        var seconds: [Double] = []
        for round in 1...rounds {
            let bare = try await bareAggregate()
            bares.append(bare.seconds)
            // A clean slate for the run: no flags, nothing judged yet.
            try await connection.simpleQuery(
                "DELETE FROM flag_events; DELETE FROM flags; DELETE FROM return_evaluations")
            let firstStart = clock.now
            let first = try await NightlyCompliance(pool: pool).run(asOf: asOf, actor: "bench")
            firsts.append((clock.now - firstStart).seconds)
            let secondStart = clock.now
            let second = try await NightlyCompliance(pool: pool).run(asOf: asOf, actor: "bench")
            seconds.append((clock.now - secondStart).seconds)
            print(
                String(
                    format:
                        "round %d: bare aggregate %d returns in %.2f s; nightly run %d returns judged, %d flags opened in %.2f s; second run %d judged, %d changes in %.2f s",
                    round, bare.groups, bare.seconds, first.returnsEvaluated, first.flagsOpened, firsts.last!,
                    second.returnsEvaluated, second.changes.count, seconds.last!))
        }
        let bare = bares.median
        let first = firsts.median
        let second = seconds.median
        print(
            String(format: "medians: bare aggregate %.2f s, nightly run %.2f s, second run %.2f s", bare, first, second)
        )
        print(String(format: "ratio (nightly run / bare aggregate): %.2f  (target ≤ 2.0)", first / bare))
        print(String(format: "second run / first run: %.1f %%  (target ≤ 10 %%)", 100 * second / first))
        await pool.close()
        await connection.close()
    }

    private func generate(on connection: PGConnection) async throws {
        var quarters: [String] = []
        var period = ReportingPeriod(year: 2026, quarter: 3)!
        for _ in 0..<periods {
            quarters.append(period.description)
            period = period.previous
        }
        try await connection.simpleQuery(
            """
            DELETE FROM returns WHERE employer_id IN (SELECT id FROM employers WHERE company_number LIKE 'BE%');
            DELETE FROM employers WHERE company_number LIKE 'BE%';
            """)
        try await connection.execute(
            """
            INSERT INTO employers (name, company_number, sector, has_london_workplaces)
            SELECT 'Bench Employer ' || g, 'BE' || lpad(g::text, 6, '0'),
                   (ARRAY['private', 'public', 'voluntary'])[1 + g % 3], g % 8 = 0
            FROM generate_series(1, \(employers)) g
            """)
        try await connection.execute(
            """
            INSERT INTO pledges (employer_id, charter_version_id, tier, living_hours, valid_from)
            SELECT e.id, (SELECT id FROM charter_versions ORDER BY id LIMIT 1),
                   CASE WHEN e.id % 3 = 0 THEN 'accredited' ELSE 'aspiring' END, e.id % 5 = 0, '2025-01-01'
            FROM employers e WHERE e.company_number LIKE 'BE%'
            """)
        try await connection.execute(
            """
            INSERT INTO returns (employer_id, period, first_received_at)
            SELECT e.id, q, period_snapshot(q) + CASE WHEN e.id % 25 = 0 THEN 45 ELSE 20 END
            FROM employers e CROSS JOIN unnest(\(quarters)::text[]) q WHERE e.company_number LIKE 'BE%'
            """)
        try await connection.execute(
            """
            INSERT INTO return_versions (return_id, version_no, received_at, submitted_by, source, content_hash,
                                         header, line_count)
            SELECT r.id, 1, r.first_received_at, 'bench-generator', 'csv', sha256(convert_to(r.id::text, 'UTF8')),
                   jsonb_build_object(
                       'period', r.period, 'headcount', \(lines),
                       'attestations', jsonb_strip_nulls(jsonb_build_object(
                           'hs_policy_reviewed_on', period_snapshot(r.period) - 30,
                           'equality_audit_on', CASE WHEN r.employer_id % 14 = 0 THEN NULL ELSE period_snapshot(r.period) - 60 END,
                           'union_right_notice_on', period_snapshot(r.period) - 90, 'recognition_agreement', true,
                           'union_requests', '[]'::jsonb,
                           'sick_pay_waiting_days', CASE WHEN r.employer_id % 14 = 0 THEN 1 ELSE 0 END,
                           'flexible_working_day_one', true, 'apprentices', r.employer_id % 3,
                           'work_placements', 1, 'rlw_plan_target', period_snapshot(r.period) + 365)),
                       'contractors', '[]'::jsonb),
                   \(lines)
            FROM returns r JOIN employers e ON e.id = r.employer_id WHERE e.company_number LIKE 'BE%'
            """)
        try await connection.execute(
            """
            INSERT INTO worker_lines (return_version_id, line_no, worker_ref, employment_type, contract_type, age_band,
                apprentice_first_year, workplace_london, hourly_rate, overtime_rate, contracted_hours,
                avg_actual_hours_12w, zhc_by_request, fewer_hours_by_request, start_date, last_hours_review,
                guaranteed_hours_offered, shifts_scheduled, shifts_short_notice, shifts_cancelled_short_notice,
                shifts_cancelled_paid, agency_parity, sex)
            SELECT v.id, n, 'W' || n,
                   CASE WHEN n % 20 = 0 THEN 'agency' ELSE 'direct' END,
                   CASE WHEN e % 4 = 0 AND n % 33 = 3 THEN 'zero_hours' WHEN n % 25 = 7 THEN 'apprentice'
                        ELSE 'permanent' END,
                   (ARRAY['18', '19_20', '21_plus', '21_plus', '21_plus'])[1 + n % 5],
                   CASE WHEN n % 25 = 7 THEN n % 2 = 0 END,
                   n % 9 = 0,
                   CASE WHEN e % 10 = 0 AND n % 25 = 1 THEN 13.20
                        WHEN e % 97 = 0 AND n % 50 = 1 THEN 12.40
                        ELSE 15.00 + ((v.id * 7 + n * 13) % 300) / 100.0 END,
                   NULL,
                   CASE WHEN e % 4 = 0 AND n % 33 = 3 THEN 0 ELSE 16 + (n % 22) END,
                   CASE WHEN e % 4 = 0 AND n % 33 = 3 THEN (CASE WHEN e % 9 = 0 THEN 10 + n % 15 ELSE 2 + n % 2 END)
                        ELSE 16 + (n % 22) + (n % 3) END,
                   CASE WHEN e % 4 = 0 AND n % 33 = 3 THEN e % 20 <> 0 END,
                   false,
                   DATE '2020-01-01' + (n * 17 % 2000)::int,
                   CASE WHEN e % 12 = 0 THEN DATE '2025-06-01' ELSE period_snapshot(r.period) - (n % 60)::int END,
                   NULL,
                   40 + n % 20, (v.id + n) % 3, n % 2, n % 2,
                   CASE WHEN n % 20 = 0 THEN e % 15 <> 0 END,
                   CASE WHEN n % 2 = 0 THEN 'female' ELSE 'male' END
            FROM return_versions v JOIN returns r ON r.id = v.return_id
            CROSS JOIN LATERAL (SELECT r.employer_id AS e) x
            CROSS JOIN generate_series(1, \(lines)) n
            WHERE v.submitted_by = 'bench-generator'
            """)
    }
}

import ArgumentParser
import CharterAccess
import CharterApp
import CharterDomain
import CharterStore
import Foundation
import Hummingbird
import Logging
import PGClient
import ServiceLifecycle

/// Every list page of the charter team's workspace, signed in as an admin, at the demo's size and then
/// at 10,000 employers and 100,000 flags, each loaded by one wrk client in the same run.
struct WorkspaceBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace",
        abstract: "Time every /admin list page at the demo's size and at 10,000 employers and 100,000 flags.",
        discussion: """
            Seeds the demo (demo/employers-gpg.csv, as `charterctl demo` does) into a throwaway database,
            signs an admin in, starts charterd's HTTP application in this process on 127.0.0.1:PORT and
            loads each page with `wrk --latency -t1 -c1` (one person clicking, Debian package wrk) for
            DURATION seconds, printing its median and p99 latency. Then adds generated employers up to
            EMPLOYERS and open flags up to FLAGS, with audit entries and sent emails in proportion, and
            times every page again. Targets: ≤ 100 ms at the demo's size, ≤ 300 ms at full size.
            """)

    @Option(help: "Employers at full size.") var employers = 10_000
    @Option(help: "Open flags at full size.") var flags = 100_000
    @Option(help: "Seconds of load per page.") var duration = 3
    @Option(help: "Port to listen on (loopback).") var port = 18_090
    @Option(help: "The demo's employers, as a Gender Pay Gap service CSV.") var demoEmployers = "demo/employers-gpg.csv"
    @Option(help: "Working directory for the throwaway cluster (without CHARTERD_DATABASE_URL).")
    var workDirectory = "/tmp/charter-bench-workspace"

    /// The list pages of the workspace, each as a person first opens it and one filtered or paged.
    static let pages = [
        "/admin", "/admin/employers", "/admin/employers?q=care", "/admin/employers?page=20", "/admin/reps",
        "/admin/users", "/admin/tokens", "/admin/applications", "/admin/exemptions", "/admin/charter", "/admin/runs",
        "/admin/outbox",
        "/admin/audit", "/admin/audit?actor=demo", "/flags", "/flags?state=open&severity=breach", "/register",
    ]

    func run() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
            throw BenchError("wrk is missing: apt-get install -y wrk")
        }
        let gpg = try Data(contentsOf: URL(fileURLWithPath: demoEmployers))
        // Its first measurements are at the demo's size, so its throwaway cluster starts empty each run: one
        // kept from an earlier run already holds the generated employers (a second run measured "demo size"
        // pages at 10,000 employers, then failed to pledge them again).
        // Only the cluster the bench made (`withBenchDatabase` keeps it in `pg`) is removed, nothing else there.
        if ProcessInfo.processInfo.environment["CHARTERD_DATABASE_URL"] == nil {
            let cluster = URL(fileURLWithPath: workDirectory).appending(path: "pg")
            if FileManager.default.fileExists(atPath: cluster.appending(path: "data/PG_VERSION").path) {
                try FileManager.default.removeItem(at: cluster)
            }
        }
        try await withBenchDatabase(workDirectory: workDirectory) { conninfo, _ in
            CharterLogging.bootstrap(format: .logfmt, level: .warning)
            try await PGConnection.with(conninfo) { _ = try await CharterSchema.migrator().migrate(on: $0) }
            let pool = PGPool(configuration: PGPoolConfiguration(conninfo: conninfo))
            let users = UserStore(pool: pool, hasher: PasswordHasher(iterations: 1_000))
            _ = try await CharterDemo.seedIfEmpty(
                pool: pool, gpgFile: gpg, today: CalendarDate(Date(), in: .europeLondon),
                hasher: PasswordHasher(iterations: 1_000))
            let cookie = try await signIn(users)
            var configuration = CharterConfiguration()
            configuration.httpHost = "127.0.0.1"
            configuration.httpPort = port
            var logger = Logger(label: "bench-workspace")
            logger.logLevel = .warning
            let application = CharterServer.application(
                configuration: configuration, pool: pool, logger: logger, users: users)
            let server = ServiceGroup(services: [application], gracefulShutdownSignals: [], logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.run() }
                try await APIBench.waitForListener(port: port)
                let small = try await timeEveryPage(cookie: cookie, label: "demo size")
                try await grow(pool: pool)
                let large = try await timeEveryPage(
                    cookie: cookie, label: "\(employers.formatted()) employers, \(flags.formatted()) flags")
                print("slowest page: demo size p50 \(Self.ms(small.p50)), p99 \(Self.ms(small.p99)) (target ≤ 100 ms);")
                print("              full size p50 \(Self.ms(large.p50)), p99 \(Self.ms(large.p99)) (target ≤ 300 ms)")
                await server.triggerGracefulShutdown()
                try await group.waitForAll()
            }
            await pool.close()
        }
    }

    static func ms(_ value: Double) -> String { String(format: "%.1f ms", value) }

    /// A bench admin's session cookie, as a browser would send it.
    private func signIn(_ users: UserStore) async throws -> String {
        let email = "bench.admin@charter.example"
        let password = "bench admin password for the workspace"
        if try await users.list().first(where: { $0.email == email }) == nil {
            _ = try await users.create(
                email: email, displayName: "Bench Admin", role: .admin, employerID: nil, repID: nil, password: password,
                by: "charter-bench")
        }
        guard case .signedIn(let session) = try await users.signIn(email: email, password: password, remoteAddress: nil)
        else { throw BenchError("the bench admin could not sign in") }
        let cookie = session.cookie()
        return "\(cookie.name)=\(cookie.value)"
    }

    /// Each page loaded for `duration` seconds; prints and returns the slowest median and p99.
    private func timeEveryPage(cookie: String, label: String) async throws -> (p50: Double, p99: Double) {
        print("\(label):")
        var slowest = (p50: 0.0, p99: 0.0)
        for page in Self.pages {
            let timing = try await wrk(path: page, cookie: cookie)
            print(
                String(
                    format: "  %-40@ p50 %7.1f ms  p99 %7.1f ms  (%d requests)", page as NSString, timing.p50,
                    timing.p99, timing.requests))
            slowest = (max(slowest.p50, timing.p50), max(slowest.p99, timing.p99))
        }
        return slowest
    }

    /// Generated employers up to `employers`, open flags up to `flags` (spread over them, the published
    /// version's standards and four periods), one audit entry per generated employer and as many sent
    /// emails as employers — in SQL, as a bulk load, then analysed as autovacuum would.
    private func grow(pool: PGPool) async throws {
        print("generating employers up to \(employers) and flags up to \(flags)…")
        try await pool.withConnection { connection in
            let existing = try await connection.query("SELECT count(*) AS n FROM employers")[0].decode(
                Int.self, column: "n")
            let existingFlags = try await connection.query("SELECT count(*) AS n FROM flags")[0].decode(
                Int.self, column: "n")
            let more = max(0, employers - existing)
            try await connection.execute(
                """
                INSERT INTO employers (name, sector, company_number)
                SELECT 'Workspace Bench ' || g || (ARRAY[' Care Ltd', ' Logistics Ltd', ' Foods CIC', ' Trust'])[1 + g % 4],
                       (ARRAY['private', 'public', 'voluntary'])[1 + g % 3], lpad((10000000 + g)::text, 8, '0')
                FROM generate_series(1, \(more)) g
                """)
            try await connection.execute(
                """
                INSERT INTO pledges (employer_id, charter_version_id, tier, valid_from)
                SELECT e.id, (SELECT min(id) FROM charter_versions WHERE status = 'published'),
                       CASE WHEN e.id % 3 = 0 THEN 'accredited' ELSE 'aspiring' END, DATE '2026-01-01'
                FROM employers e
                WHERE e.name LIKE 'Workspace Bench %' AND NOT EXISTS (SELECT 1 FROM pledges p WHERE p.employer_id = e.id)
                """)
            try await connection.execute(
                """
                INSERT INTO flags (employer_id, charter_version_id, standard_id, period, subject, state, severity, evidence)
                SELECT e.id, (SELECT min(id) FROM charter_versions WHERE status = 'published'),
                       (ARRAY['pay.real-living-wage', 'hours.zero-hours-share', 'hours.review-overdue',
                              'just.union-access', 'gov.return-late'])[1 + g % 5],
                       (ARRAY['2025-Q4', '2026-Q1', '2026-Q2', '2026-Q3'])[1 + (g / 5) % 4], 'bench ' || g,
                       (ARRAY['open', 'acknowledged', 'open', 'resolved'])[1 + g % 4],
                       (ARRAY['critical', 'breach', 'warning', 'info'])[1 + g % 4], '{}'
                FROM generate_series(0, \(max(0, flags - existingFlags) - 1)) g
                JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM employers
                      WHERE name LIKE 'Workspace Bench %') e ON e.n = g % \(max(more, 1))
                """)
        }
        // The audit log grows through the trail itself (its chain is kept), in one transaction.
        let ids = try await pool.withConnection { connection in
            try await connection.query("SELECT id FROM employers WHERE name LIKE 'Workspace Bench %' ORDER BY id")
                .map { try $0.decode(Int64.self, column: "id") }
        }
        try await pool.withTransaction { connection in
            for id in ids {
                try await AuditTrail.append(
                    on: connection, actor: "charter-bench", action: "employer.add", entity: "employer",
                    entityID: String(id), details: ["source": "workspace bench"])
            }
        }
        try await pool.withConnection { try await $0.simpleQuery("VACUUM ANALYZE") }
    }

    /// One wrk client on `path` with the session cookie; the median and p99 latency in milliseconds.
    private func wrk(path: String, cookie: String) async throws -> (p50: Double, p99: Double, requests: Int) {
        let run = try await ChildRun.run(
            "/usr/bin/wrk",
            ["-t1", "-c1", "-d\(duration)s", "--latency", "-H", "Cookie: \(cookie)", "http://127.0.0.1:\(port)\(path)"])
        guard run.status == 0 else { throw BenchError("wrk failed (\(run.status)): \(run.output)\(run.errors)") }
        var p50: Double?
        var p99: Double?
        var requests: Int?
        for line in run.output.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count > 2, fields[1] == "requests", fields[2] == "in" { requests = Int(fields[0]) }
            if fields.first == "50%", fields.count > 1 { p50 = APIBench.milliseconds(String(fields[1])) }
            if fields.first == "99%", fields.count > 1 { p99 = APIBench.milliseconds(String(fields[1])) }
            if line.contains("Non-2xx or 3xx responses") {
                throw BenchError("\(path) answered an error:\n\(run.output)")
            }
        }
        guard let p50, let p99, let requests else { throw BenchError("cannot read wrk's report:\n\(run.output)") }
        return (p50, p99, requests)
    }
}

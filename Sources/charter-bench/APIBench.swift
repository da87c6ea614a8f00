import ArgumentParser
import CharterAccess
import CharterApp
import CharterStore
import Foundation
import Hummingbird
import Logging
import PGClient
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// `GET /v1/flags?state=open` with a rep's token over 10,000 flags, next to a trivial route, both
/// loaded by wrk on loopback in the same run.
struct APIBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "wrk on GET /v1/flags?state=open (rep token, 10,000 flags) next to GET /healthz.",
        discussion: """
            Generates EMPLOYERS employers with FLAGS open flags spread over them (standards of the published
            charter version, periods and
            severities varied), one rep covering every employer and an API token for that rep; starts
            charterd's HTTP application in this process on 127.0.0.1:PORT with the database, then runs
            `wrk --latency` (Debian package wrk) ROUNDS times first on /healthz, then on the flag queue's
            first page (50 flags), DURATION seconds each, and prints each round's requests/s and p99
            latency of both and the CPU a flag-queue request cost, then their medians.
            Targets: ≥ 5,000 requests/s with p99 ≤ 50 ms on the flag queue.
            """)

    @Option(help: "Employers to spread the flags over.") var employers = 1_000
    @Option(help: "Open flags to generate.") var flags = 10_000
    @Option(help: "Seconds of load per route and round.") var duration = 15
    @Option(help: "Rounds of (trivial route, flag queue); medians are reported.") var rounds = 3
    @Option(help: "Open connections wrk keeps.") var connections = 64
    @Option(help: "wrk threads.") var threads = 2
    @Option(help: "Port to listen on (loopback).") var port = 18_089
    @Option(help: "Database connections in charterd's pool.") var poolSize = 4
    @Option(help: "Working directory for the throwaway cluster (without CHARTERD_DATABASE_URL).")
    var workDirectory = "/tmp/charter-bench-api"

    func run() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
            throw BenchError("wrk is missing: apt-get install -y wrk")
        }
        try await withBenchDatabase(workDirectory: workDirectory) { conninfo, _ in
            try await measure(conninfo: conninfo)
        }
    }

    private func measure(conninfo: String) async throws {
        // Logging and the pool's wait metric as charterd sets them up, so the server under load does the
        // per-request work charterd does.
        CharterLogging.bootstrap(format: .logfmt, level: .warning)
        var poolConfiguration = PGPoolConfiguration(conninfo: conninfo)
        poolConfiguration.maxConnections = poolSize
        poolConfiguration.onAcquireWait = CharterMetrics.recordAcquireWait
        poolConfiguration.onStatementWait = CharterMetrics.recordStatementWait
        let pool = PGPool(configuration: poolConfiguration)
        let token = try await seed(pool: pool, conninfo: conninfo)

        var configuration = CharterConfiguration()
        configuration.httpHost = "127.0.0.1"
        configuration.httpPort = port
        var logger = Logger(label: "bench-api")
        logger.logLevel = .warning
        let application = CharterServer.application(configuration: configuration, pool: pool, logger: logger)
        let server = ServiceGroup(services: [application], gracefulShutdownSignals: [], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            try await waitForListener(port: port)
            // A short unmeasured run first, so the pool has opened its connections when CPU is counted.
            _ = try await wrk(path: "/v1/flags?state=open", token: token, seconds: 2)
            let backends = try await pool.withConnection { connection in
                try await connection.query(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'"
                ).map { try $0.decode(Int32.self, column: "pid") }
            }
            var trivialRates: [Double] = []
            var queueRates: [Double] = []
            var queueP99s: [Double] = []
            var charterdCPU: [Double] = []
            var postgresCPU: [Double] = []
            for round in 1...rounds {
                let trivial = try await wrk(path: "/healthz", token: nil)
                let before = CPUTime.now(backends: backends)
                let queue = try await wrk(path: "/v1/flags?state=open", token: token)
                let cpu = CPUTime.now(backends: backends) - before
                let requests = Double(queue.requests)
                trivialRates.append(trivial.rps)
                queueRates.append(queue.rps)
                queueP99s.append(queue.p99)
                charterdCPU.append(cpu.process / requests * 1e6)
                postgresCPU.append(cpu.backends / requests * 1e6)
                print(
                    String(
                        format:
                            "round %d: GET /healthz %.0f requests/s (p99 %.2f ms); GET /v1/flags?state=open %.0f requests/s (p99 %.2f ms); CPU per flag-queue request: charterd %.0f µs, PostgreSQL %.0f µs",
                        round, trivial.rps, trivial.p99, queue.rps, queue.p99, charterdCPU.last!, postgresCPU.last!))
            }
            let trivial = trivialRates.median
            let queue = queueRates.median
            print("medians of \(rounds) round(s):")
            print(String(format: "GET /healthz:                 %8.0f requests/s", trivial))
            print(
                String(
                    format: "GET /v1/flags?state=open:     %8.0f requests/s, p99 %6.2f ms", queue,
                    queueP99s.median))
            print(
                String(
                    format:
                        "flag queue / trivial route: %.2f of the requests/s; targets ≥ 5,000 requests/s, p99 ≤ 50 ms",
                    queue / trivial))
            print(
                String(
                    format: "CPU per flag-queue request: charterd %.0f µs, PostgreSQL (%d pooled backends) %.0f µs",
                    charterdCPU.median, backends.count, postgresCPU.median))
            // Stopped as charterd stops on SIGTERM: open connections are closed, not cancelled.
            await server.triggerGracefulShutdown()
            try await group.waitForAll()
        }
    }

    /// The generated charter, once; a fresh rep token each run.
    private func seed(pool: PGPool, conninfo: String) async throws -> String {
        let employerIDs = try await PGConnection.with(conninfo) { connection in
            _ = try await CharterSchema.migrator().migrate(on: connection)
            let existing = try await connection.query(
                """
                SELECT count(*) AS n FROM flags f JOIN employers e ON e.id = f.employer_id
                WHERE e.name LIKE 'API Bench %' AND f.charter_version_id IS NOT NULL
                """
            )[0].decode(Int.self, column: "n")
            if existing != flags {
                print("generating \(employers) employers and \(flags) open flags…")
                try await connection.simpleQuery(
                    """
                    DELETE FROM reps WHERE email = 'bench.rep@union.example';
                    DELETE FROM employers WHERE name LIKE 'API Bench %';
                    """)
                try await connection.execute(
                    """
                    INSERT INTO employers (name, sector) SELECT 'API Bench ' || g, 'private'
                    FROM generate_series(1, \(employers)) g
                    """)
                try await connection.execute(
                    """
                    INSERT INTO flags (employer_id, charter_version_id, standard_id, period, subject, state, severity, evidence)
                    SELECT e.id, (SELECT min(id) FROM charter_versions WHERE status = 'published'), (ARRAY['pay.real-living-wage', 'hours.zero-hours', 'hours.review-overdue',
                                        'voice.union-access', 'gov.return-late'])[1 + g % 5],
                           (ARRAY['2025-Q4', '2026-Q1', '2026-Q2', '2026-Q3'])[1 + (g / 5) % 4], 'bench ' || g, 'open',
                           (ARRAY['critical', 'breach', 'warning', 'info'])[1 + g % 4], '{}'
                    FROM generate_series(0, \(flags - 1)) g
                    JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM employers
                          WHERE name LIKE 'API Bench %') e ON e.n = g % \(employers)
                    """)
                try await connection.simpleQuery("VACUUM ANALYZE")
            }
            return try await connection.query(
                "SELECT id FROM employers WHERE name LIKE 'API Bench %' ORDER BY id"
            ).map { try $0.decode(Int64.self, column: "id") }
        }
        let reps = RepStore(pool: pool)
        var rep = try await reps.list().first { $0.email == "bench.rep@union.example" }
        if rep == nil {
            rep = try await reps.add(
                name: "Bench Rep", email: "bench.rep@union.example", unionName: nil, covers: employerIDs,
                actor: "charter-bench")
        }
        guard let rep else { throw BenchError("the bench rep could not be registered") }
        // What autovacuum does within a minute of a rep's coverage being registered in production.
        try await pool.withConnection { try await $0.simpleQuery("ANALYZE rep_coverage") }
        return try await TokenStore(pool: pool).create(
            role: .rep, employerID: nil, repID: rep.id, label: "charter-bench api", expiresAt: nil,
            createdBy: "charter-bench"
        ).token.text
    }

    /// Waits until something accepts connections on the port.
    private func waitForListener(port: Int) async throws {
        for _ in 0..<200 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            close(fd)
            if connected == 0 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchError("charterd did not start listening on port \(port)")
    }

    /// Runs wrk and reads requests/s and the 99th percentile latency (ms) from its report.
    private func wrk(path: String, token: String?, seconds: Int? = nil) async throws -> (
        rps: Double, p99: Double, requests: Int
    ) {
        var arguments = [
            "-t\(threads)", "-c\(connections)", "-d\(seconds ?? duration)s", "--latency",
        ]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        arguments.append("http://127.0.0.1:\(port)\(path)")
        let run = try await ChildRun.run("/usr/bin/wrk", arguments)
        guard run.status == 0 else { throw BenchError("wrk failed (\(run.status)): \(run.output)\(run.errors)") }
        var rps: Double?
        var p99: Double?
        var requests: Int?
        for line in run.output.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // "  123456 requests in 10.00s, 1.23GB read"
            if fields.count > 2, fields[1] == "requests", fields[2] == "in" { requests = Int(fields[0]) }
            if fields.first == "Requests/sec:", fields.count > 1 { rps = Double(fields[1]) }
            if fields.first == "99%", fields.count > 1 { p99 = Self.milliseconds(String(fields[1])) }
            if line.contains("Non-2xx or 3xx responses") { throw BenchError("wrk saw errors:\n\(run.output)") }
        }
        guard let rps, let p99, let requests else { throw BenchError("cannot read wrk's report:\n\(run.output)") }
        return (rps, p99, requests)
    }

    /// wrk's latency ("812.00us", "3.21ms", "1.02s") in milliseconds.
    static func milliseconds(_ text: String) -> Double? {
        for (suffix, scale) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0)] where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * scale }
        }
        return nil
    }
}

/// CPU seconds (user and system) used so far by this process and by the given PostgreSQL backends
/// (read from /proc, so only for a server on this machine; a backend that has gone counts nothing).
struct CPUTime {
    var process: Double
    var backends: Double

    static func now(backends: [Int32]) -> CPUTime {
        let process = ReportsBench.processCPUSeconds()
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var total = 0.0
        for pid in backends {
            // Fields after the parenthesised name: utime and stime are the 12th and 13th.
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            total += (user + system) / ticks
        }
        return CPUTime(process: process, backends: total)
    }

    static func - (after: CPUTime, before: CPUTime) -> CPUTime {
        CPUTime(process: after.process - before.process, backends: after.backends - before.backends)
    }
}

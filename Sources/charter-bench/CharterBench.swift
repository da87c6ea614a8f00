import ArgumentParser
import CharterStore
import EmbeddedPostgres
import Foundation
import Logging
import PGClient

/// Benchmarks that compare CharterWatch against a named baseline measured in the same run.
@main
struct CharterBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "charter-bench",
        abstract: "Benchmarks, each reported as a ratio against its baseline measured in the same run.",
        subcommands: [
            CopyBench.self, IngestBench.self, ComplianceBench.self, APIBench.self, ReportsBench.self,
            WorkspaceBench.self, OutcomesBench.self,
        ]
    )
}

/// Loads a generated CSV through PGClient's COPY and through `psql \copy`, same file, same table.
struct CopyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "PGClient COPY FROM STDIN vs psql \\copy of the same CSV into the same table.")

    @Option(help: "Rows in the generated CSV.")
    var rows = 1_000_000

    @Option(help: "Rounds; each round times both loaders once, alternating which goes first.")
    var rounds = 3

    @Option(help: "Working directory for the CSV and, without CHARTERD_DATABASE_URL, a throwaway cluster.")
    var workDirectory = "/tmp/charter-bench"

    func run() async throws {
        try await withBenchDatabase(workDirectory: workDirectory) { conninfo, work in
            try await measure(conninfo: conninfo, work: work)
        }
    }

    private func measure(conninfo: String, work: URL) async throws {
        let csv = work.appending(path: "lines-\(rows).csv")
        if !FileManager.default.fileExists(atPath: csv.path) {
            print("generating \(rows) rows → \(csv.path)")
            try generate(rows: rows, to: csv)
        }
        let size = (try FileManager.default.attributesOfItem(atPath: csv.path)[.size] as? Int) ?? 0
        print("file: \(rows) rows, \(size / 1_048_576) MiB")

        try await PGConnection.with(conninfo) { connection in
            try await connection.simpleQuery(
                """
                DROP TABLE IF EXISTS bench_lines;
                CREATE UNLOGGED TABLE bench_lines (
                    worker_ref text, employment_type text, contract_type text, age_band text,
                    workplace_london boolean, hourly_rate numeric(10,4), contracted_hours numeric(6,2),
                    avg_actual_hours_12w numeric(6,2), start_date date, shifts_scheduled integer)
                """)
            let copySQL = "COPY bench_lines FROM STDIN (FORMAT csv, HEADER true)"
            var client: [Double] = []
            var psql: [Double] = []
            for round in 0..<rounds {
                for loader in round % 2 == 0 ? ["client", "psql"] : ["psql", "client"] {
                    try await connection.execute("TRUNCATE bench_lines")
                    let clock = ContinuousClock()
                    let started = clock.now
                    let copied: Int
                    if loader == "client" {
                        copied = try await copyWithClient(connection, sql: PGQuery(unsafeSQL: copySQL), file: csv)
                    } else {
                        copied = try await Self.runPsql(
                            conninfo: conninfo,
                            command: "\\copy bench_lines FROM '\(csv.path)' WITH (FORMAT csv, HEADER true)")
                    }
                    let seconds = (clock.now - started).seconds
                    let rate = Double(copied) / seconds
                    print(
                        String(
                            format: "round %d  %-6@  %9d rows  %6.2f s  %10.0f rows/s", round + 1, loader, copied,
                            seconds,
                            rate))
                    if loader == "client" { client.append(rate) } else { psql.append(rate) }
                }
            }
            let clientMedian = client.median
            let psqlMedian = psql.median
            print(
                String(format: "median: PGClient COPY %.0f rows/s, psql \\copy %.0f rows/s", clientMedian, psqlMedian))
            print(String(format: "ratio (PGClient / psql): %.2f  (target ≥ 0.80)", clientMedian / psqlMedian))
            try await connection.execute("DROP TABLE bench_lines")
        }
    }

    private func copyWithClient(_ connection: PGConnection, sql: PGQuery, file: URL) async throws -> Int {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        return try await connection.copyFrom(sql) { writer in
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                try await writer.write(bytes: chunk)
            }
        }
    }

    static func runPsql(conninfo: String, command: String) async throws -> Int {
        let run = try await ChildRun.run("/usr/bin/psql", [conninfo, "-X", "-v", "ON_ERROR_STOP=1", "-c", command])
        guard run.status == 0 else { throw BenchError("psql failed: \(run.output)\(run.errors)") }
        // psql prints "COPY n".
        return Int(run.output.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
    }

    private func generate(rows: Int, to url: URL) throws {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var buffer = "worker_ref,employment_type,contract_type,age_band,workplace_london,hourly_rate,"
        buffer += "contracted_hours,avg_actual_hours_12w,start_date,shifts_scheduled\n"
        let contracts = ["permanent", "fixed_term", "zero_hours", "casual", "apprentice"]
        let bands = ["under_18", "18", "19_20", "21_plus"]
        var generator = SplitMix64(seed: 2026)
        for index in 0..<rows {
            let rate = 1_100 + Int(generator.next() % 400)
            let hours = Int(generator.next() % 40)
            buffer += "W\(index),direct,\(contracts[index % contracts.count]),\(bands[index % bands.count]),"
            buffer += "\(index % 7 == 0),\(rate / 100).\(rate % 100),\(hours),\(hours + Int(generator.next() % 8)).5,"
            buffer += "20\(10 + index % 16)-0\(1 + index % 9)-1\(index % 10),\(generator.next() % 60)\n"
            if buffer.utf8.count > 1 << 20 {
                handle.write(Data(buffer.utf8))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        handle.write(Data(buffer.utf8))
    }
}

extension [Double] {
    /// The middle value (of an even count, the upper of the two middle ones); 0 for none. Every
    /// benchmark reports medians of its rounds, which one slow round on a shared machine moves least.
    var median: Double {
        let sorted = sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}

/// Runs `body` on `CHARTERD_DATABASE_URL` if set, else on a throwaway embedded cluster under
/// `workDirectory` (stopped afterwards, also when the body fails).
func withBenchDatabase(
    workDirectory: String, _ body: (_ conninfo: String, _ work: URL) async throws -> Void
) async throws {
    let work = URL(fileURLWithPath: workDirectory)
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    // The stores audit every change under the process's key: CHARTERD_AUDIT_KEY for a database that has
    // one; for a throwaway cluster, which is kept between runs (its generated data is reused), a key kept
    // beside it, as charterd keeps the embedded cluster's in its state directory. It is put in the
    // environment, so the charterctl a benchmark runs (ingest) writes under the same key.
    let keyFile = work.appending(path: "audit-key")
    let kept = (try? String(contentsOf: keyFile, encoding: .utf8)).flatMap {
        try? AuditKey(hex: $0.trimmingCharacters(in: .whitespacesAndNewlines))
    }
    let key =
        try ProcessInfo.processInfo.environment["CHARTERD_AUDIT_KEY"].map { try AuditKey(hex: $0) }
        ?? kept ?? .random()
    if ProcessInfo.processInfo.environment["CHARTERD_AUDIT_KEY"] == nil, kept == nil {
        try Data((key.hex + "\n").utf8).write(to: keyFile, options: .atomic)
    }
    setenv("CHARTERD_AUDIT_KEY", key.hex, 1)
    try AuditTrail.useKey(key)
    if let url = ProcessInfo.processInfo.environment["CHARTERD_DATABASE_URL"] {
        try await body(url, work)
        return
    }
    let cluster = EmbeddedPostgres(directory: work.appending(path: "pg"), logger: Logger(label: "bench"))
    try await cluster.start()
    do {
        try await body(cluster.conninfo, work)
    } catch {
        try? await cluster.stop()
        throw error
    }
    try await cluster.stop()
}

/// A small deterministic generator so every run loads the same data.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Duration {
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}

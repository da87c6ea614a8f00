import ArgumentParser
import CharterDomain
import CharterStore
import Foundation
import NIOCore
import NIOFileSystem
import PGClient

/// A whole return ingested end to end (read, parse, validate, COPY, version row) against
/// `psql \copy` of the same rows into the same table, in the same run.
struct IngestBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "charterctl return submit of a worker-line CSV vs psql \\copy of the same rows into worker_lines.")

    @Option(help: "Worker lines in the generated return.")
    var rows = 1_000_000

    @Option(help: "Rounds; each round times both once, alternating which goes first.")
    var rounds = 3

    @Option(help: "Working directory for the files and, without CHARTERD_DATABASE_URL, a throwaway cluster.")
    var workDirectory = "/tmp/charter-bench"

    func run() async throws {
        try await withBenchDatabase(workDirectory: workDirectory) { conninfo, work in
            try await measure(conninfo: conninfo, work: work)
        }
    }

    private func measure(conninfo: String, work: URL) async throws {
        try await PGConnection.with(conninfo) { connection in
            _ = try await CharterSchema.migrator().migrate(on: connection)
            let pool = PGPool(configuration: PGPoolConfiguration(conninfo: conninfo))
            let employers = EmployerStore(pool: pool)
            let ingestEmployer =
                try await employers.add(Employer(name: "Bench ingest \(UUID())"), actor: "bench").id ?? 0
            let baselineEmployer =
                try await employers.add(Employer(name: "Bench psql \(UUID())"), actor: "bench").id ?? 0
            // Pledged, as a submitting employer is: the submission then works out the figures the nightly run
            // will judge it by as the lines stream in, and that work is measured with the rest.
            _ = try await PledgeStore(pool: pool).add(
                employerID: ingestEmployer, tier: .accredited, livingHours: true, overrides: PledgeOverrides(),
                validFrom: CalendarDate(year: 2025, month: 1, day: 1)!, validTo: nil, actor: "bench")
            // The baseline's rows need a version row to belong to, as the ingest's do.
            let baselineVersion = try await connection.query(
                """
                WITH r AS (INSERT INTO returns (employer_id, period) VALUES (\(baselineEmployer), '2026-Q3') RETURNING id)
                INSERT INTO return_versions (return_id, version_no, submitted_by, source, content_hash, header)
                SELECT id, 1, 'bench', 'csv', '\\x'::bytea, '{}' FROM r RETURNING id
                """)[0].decode(Int64.self, column: "id")

            let csv = work.appending(path: "return-\(rows).csv")
            let baseline = work.appending(path: "return-\(rows)-baseline.csv")
            print("generating \(rows) worker lines → \(csv.path)")
            try generate(rows: rows, to: csv, baseline: baseline, versionID: baselineVersion)
            let size = (try FileManager.default.attributesOfItem(atPath: csv.path)[.size] as? Int) ?? 0
            print("file: \(rows) lines, \(size / 1_048_576) MiB")
            let headerFile = work.appending(path: "return-\(rows)-header.json")
            try Data(
                #"{"period": "2026-Q3", "headcount": \#(rows), "attestations": {"sick_pay_waiting_days": 0}}"#.utf8
            ).write(to: headerFile)
            let charterctl = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                .appending(path: "charterctl").path
            guard FileManager.default.isExecutableFile(atPath: charterctl) else {
                throw BenchError("\(charterctl) is missing; build everything first: swift build -c release")
            }
            var peaks: [Double] = []
            let columns = ["return_version_id", "line_no"] + Self.csvColumns
            var ingest: [Double] = []
            var psql: [Double] = []
            for round in 0..<rounds {
                for loader in round % 2 == 0 ? ["ingest", "psql"] : ["psql", "ingest"] {
                    try await connection.execute("DELETE FROM returns WHERE employer_id = \(ingestEmployer)")
                    try await connection.execute(
                        "DELETE FROM worker_lines WHERE return_version_id = \(baselineVersion)")
                    try await connection.simpleQuery("VACUUM worker_lines")
                    let clock = ContinuousClock()
                    let started = clock.now
                    let lines: Int
                    if loader == "ingest" {
                        // The real command, in its own process: what a payroll clerk runs, and its own peak memory.
                        let run = try await ChildRun.run(
                            charterctl,
                            [
                                "return", "submit", "--employer", "\(ingestEmployer)", "--period", "2026-Q3",
                                "--header",
                                headerFile.path, "--lines", csv.path, "--format", "json",
                            ], environment: ["CHARTERD_DATABASE_URL": conninfo])
                        guard run.status == 0,
                            let object = try? JSONSerialization.jsonObject(with: Data(run.output.utf8))
                                as? [String: Any],
                            let version = object["version"] as? [String: Any], let count = version["line_count"] as? Int
                        else {
                            throw BenchError(
                                "charterctl return submit failed (\(run.status)): \(run.output.prefix(2_000))\(run.errors.suffix(2_000))"
                            )
                        }
                        lines = count
                        peaks.append(run.peakMiB)
                    } else {
                        lines = try await CopyBench.runPsql(
                            conninfo: conninfo,
                            command: "\\copy worker_lines (\(columns.joined(separator: ", "))) FROM '\(baseline.path)'"
                                + " WITH (FORMAT csv, HEADER true)")
                    }
                    let seconds = (clock.now - started).seconds
                    print(
                        String(
                            format: "round %d  %-6@  %9d lines  %6.2f s  %10.0f lines/s", round + 1, loader, lines,
                            seconds, Double(lines) / seconds))
                    if loader == "ingest" { ingest.append(seconds) } else { psql.append(seconds) }
                }
            }
            let peakMiB = peaks.max() ?? 0
            let ingestMedian = ingest.median
            let psqlMedian = psql.median
            print(String(format: "median: ingest %.2f s, psql \\copy %.2f s", ingestMedian, psqlMedian))
            print(String(format: "ratio (ingest / psql): %.2f  (target ≤ 1.6)", ingestMedian / psqlMedian))
            print(String(format: "peak RSS of charterctl return submit: %.0f MiB  (target ≤ 150)", peakMiB))
            try await connection.execute(
                "DELETE FROM returns WHERE employer_id IN (\(ingestEmployer), \(baselineEmployer))")
            await pool.close()
        }
    }

    static let csvColumns = [
        "worker_ref", "employment_type", "contract_type", "age_band", "apprentice_first_year", "workplace_london",
        "hourly_rate", "overtime_rate", "contracted_hours", "avg_actual_hours_12w", "zhc_by_request",
        "fewer_hours_by_request", "start_date", "last_hours_review", "guaranteed_hours_offered", "shifts_scheduled",
        "shifts_short_notice", "shifts_cancelled_short_notice", "shifts_cancelled_paid", "agency_parity", "sex",
    ]

    /// A realistic, valid return, and the same rows with the two id columns the baseline needs.
    private func generate(rows: Int, to url: URL, baseline: URL, versionID: Int64) throws {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        _ = FileManager.default.createFile(atPath: baseline.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        let baselineHandle = try FileHandle(forWritingTo: baseline)
        defer {
            try? handle.close()
            try? baselineHandle.close()
        }
        var buffer = Self.csvColumns.joined(separator: ",") + "\n"
        var baselineBuffer = "return_version_id,line_no," + buffer
        let contracts = ["permanent", "permanent", "fixed_term", "zero_hours", "casual", "apprentice"]
        let bands = ["18", "19_20", "21_plus", "21_plus", "21_plus"]
        var generator = SplitMix64(seed: 2026)
        for index in 0..<rows {
            let contract = contracts[index % contracts.count]
            let rate = 1_250 + Int(generator.next() % 300)
            let hours = contract == "zero_hours" ? 0 : 16 + Int(generator.next() % 24)
            let actual = hours + Int(generator.next() % 6)
            let scheduled = 40 + Int(generator.next() % 30)
            let cancelled = Int(generator.next() % 3)
            var line = "W\(index),direct,\(contract),\(bands[index % bands.count]),"
            line += contract == "apprentice" ? "\(index % 2 == 0)," : ","
            line += "\(index % 9 == 0),\(rate / 100).\(rate % 100),,\(hours),\(actual).5,"
            line += contract == "zero_hours" ? "yes," : ","
            line += "no,20\(10 + index % 16)-0\(1 + index % 9)-1\(index % 10),,,"
            line += "\(scheduled),\(generator.next() % 3),\(cancelled),\(cancelled),,"
            line += index % 2 == 0 ? "female\n" : "male\n"
            buffer += line
            baselineBuffer += "\(versionID),\(index + 1)," + line
            if buffer.utf8.count > 1 << 20 {
                handle.write(Data(buffer.utf8))
                baselineHandle.write(Data(baselineBuffer.utf8))
                buffer.removeAll(keepingCapacity: true)
                baselineBuffer.removeAll(keepingCapacity: true)
            }
        }
        handle.write(Data(buffer.utf8))
        baselineHandle.write(Data(baselineBuffer.utf8))
    }
}

import ArgumentParser
import CharterDomain
import CharterStore
import Foundation
import PGClient

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a scheduled job by hand.", subcommands: [NightlyComplianceRun.self])

    struct NightlyComplianceRun: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "nightly-compliance",
            abstract: "Judge new and amended returns, raise missing ones, open and clear flags.",
            discussion: "A dry run prints what would change and writes nothing.")

        @Option(help: "Judge as of this date (YYYY-MM-DD); today in Europe/London by default.") var asOf: String?
        @Flag(help: "Print what would change; write nothing.") var dryRun = false
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func validate() throws {
            if let asOf, CalendarDate(iso: asOf) == nil {
                throw ValidationError("--as-of \(asOf) is not a date; write it as YYYY-MM-DD")
            }
        }

        func run() async throws {
            let date = asOf.flatMap { CalendarDate(iso: $0) } ?? CalendarDate(Date(), in: .europeLondon)
            let dryRun = dryRun
            let report = try await withPool { pool in
                try await NightlyCompliance(pool: pool).run(asOf: date, dryRun: dryRun, actor: commandActor)
            }
            switch format {
            case .json: try printJSON(report)
            case .text:
                print(
                    "\(dryRun ? "Dry run (nothing written)" : "Nightly compliance run") as of \(date):"
                        + " \(report.returnsEvaluated) returns judged, \(report.missingReturns) missing;"
                        + " flags \(report.flagsOpened) opened, \(report.flagsReopened) reopened,"
                        + " \(report.flagsCleared) cleared, \(report.flagsWaived) waived,"
                        + " \(report.flagsUnwaived) unwaived, \(report.flagsUpdated) updated,"
                        + " \(report.flagsUnchanged) unchanged.")
                for change in report.changes {
                    print(
                        "  \(change.kind.rawValue)\temployer \(change.employerID)\t\(change.period)\t\(change.standardID)"
                            + (change.subject.isEmpty ? "" : " (\(change.subject))") + "\t\(change.severity)")
                }
                for error in report.errors { printError("  not judged: \(error)") }
            }
            if !report.errors.isEmpty { throw ExitCode(1) }
        }
    }
}

struct FlagsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flags", abstract: "Flags raised by the compliance run.", subcommands: [List.self, Show.self])

    struct FlagRow: Encodable {
        var id: Int64
        var employerID: Int64
        var employer: String
        var period: String
        var standardID: String
        var subject: String
        var state: String
        var severity: String
        var updatedAt: Date

        /// Reads the columns `id, employer_id, name, period, standard_id, subject, state, severity, updated_at`.
        init(_ row: PGRow) throws {
            id = try row.decode(Int64.self, column: "id")
            employerID = try row.decode(Int64.self, column: "employer_id")
            employer = try row.decode(String.self, column: "name")
            period = try row.decode(String.self, column: "period")
            standardID = try row.decode(String.self, column: "standard_id")
            subject = try row.decode(String.self, column: "subject")
            state = try row.decode(String.self, column: "state")
            severity = try row.decode(String.self, column: "severity")
            updatedAt = try row.decode(Date.self, column: "updated_at")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List flags, newest first.")

        @Option(help: "Only this employer's flags.") var employer: Int64?
        @Option(help: "Only this period, e.g. 2026-Q3.") var period: String?
        @Option(help: "Only flags in this state (open, acknowledged, disputed, resolved, cleared, waived).")
        var state: String?
        @Option(help: "Most flags to list.") var limit = 500
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func validate() throws {
            if let period, ReportingPeriod(period) == nil { throw ValidationError("--period must look like 2026-Q3") }
            if let state, FlagState(rawValue: state) == nil {
                throw ValidationError(
                    "--state must be one of \(FlagState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() async throws {
            let (employer, period, state, limit) = (employer, period, state, limit)
            let rows = try await withPool { pool in
                try await pool.withConnection { connection in
                    try await connection.query(
                        """
                        SELECT f.id, f.employer_id, e.name, f.period, f.standard_id, f.subject, f.state, f.severity,
                               f.updated_at
                        FROM flags f JOIN employers e ON e.id = f.employer_id
                        WHERE (\(employer)::bigint IS NULL OR f.employer_id = \(employer))
                          AND (\(period)::text IS NULL OR f.period = \(period))
                          AND (\(state)::text IS NULL OR f.state = \(state))
                        ORDER BY f.updated_at DESC, f.id DESC LIMIT \(limit)
                        """
                    ).map(FlagRow.init)
                }
            }
            switch format {
            case .json: try printJSON(rows)
            case .text:
                for f in rows {
                    print(
                        "\(f.id)\t\(f.employerID)\t\(f.period)\t\(f.standardID)\(f.subject.isEmpty ? "" : " (\(f.subject))")"
                            + "\t\(f.severity)\t\(f.state)\t\(f.employer)")
                }
                print("\(rows.count) flag\(rows.count == 1 ? "" : "s")")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a flag with its evidence and history.")

        @Argument(help: "The flag's id.") var id: Int64
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let id = id
            let (flag, evidence, events) = try await withPool { pool in
                try await pool.withConnection { connection in
                    guard
                        let row = try await connection.query(
                            """
                            SELECT f.id, f.employer_id, e.name, f.period, f.standard_id, f.subject, f.state, f.severity,
                                   f.updated_at, f.evidence::text AS evidence
                            FROM flags f JOIN employers e ON e.id = f.employer_id WHERE f.id = \(id)
                            """
                        ).first
                    else { throw CommandFailed(description: "there is no flag \(id)") }
                    let flag = try FlagRow(row)
                    let events = try await connection.query(
                        """
                        SELECT at, actor, kind, from_state, to_state, note FROM flag_events
                        WHERE flag_id = \(id) ORDER BY at, id
                        """
                    ).map { event in
                        let from = try event.decode(String?.self, column: "from_state")
                        let to = try event.decode(String?.self, column: "to_state")
                        let note = try event.decode(String?.self, column: "note")
                        return
                            "\(try event.decode(Date.self, column: "at"))  \(try event.decode(String.self, column: "actor"))"
                            + "  \(try event.decode(String.self, column: "kind"))"
                            + (to.map { "  \(from ?? "-") → \($0)" } ?? "") + (note.map { "  \($0)" } ?? "")
                    }
                    return (flag, try row.decode(String.self, column: "evidence"), events)
                }
            }
            switch format {
            case .json:
                let object: [String: Any] = [
                    "id": flag.id, "employer_id": flag.employerID, "employer": flag.employer, "period": flag.period,
                    "standard_id": flag.standardID, "subject": flag.subject, "state": flag.state,
                    "severity": flag.severity, "history": events,
                    "evidence": (try? JSONSerialization.jsonObject(with: Data(evidence.utf8))) ?? [:],
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
                print(String(decoding: data, as: UTF8.self))
            case .text:
                print("Flag \(flag.id): \(flag.standardID)\(flag.subject.isEmpty ? "" : " (\(flag.subject))")")
                print(
                    "  employer \(flag.employerID) (\(flag.employer)), \(flag.period), \(flag.severity), \(flag.state)")
                print("  evidence: \(evidence)")
                print("  history:")
                for event in events { print("    \(event)") }
            }
        }
    }
}

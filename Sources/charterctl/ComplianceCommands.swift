import ArgumentParser
import CharterAccess
import CharterApp
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a scheduled job by hand.", subcommands: [NightlyComplianceRun.self])

    struct NightlyComplianceRun: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "nightly-compliance",
            abstract: "Judge new and amended returns, raise missing ones, open and clear flags.",
            discussion: "A dry run prints what would change and writes nothing.")

        @Option(help: "Judge as of this date (YYYY-MM-DD); today in Europe/London by default.") var asOf: String?
        @ArgumentParser.Flag(help: "Print what would change; write nothing.") var dryRun = false
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func validate() throws {
            if let asOf, CalendarDate(iso: asOf) == nil {
                throw ValidationError("--as-of \(asOf) is not a date; write it as YYYY-MM-DD")
            }
        }

        func run() async throws {
            let date = asOf.flatMap { CalendarDate(iso: $0) } ?? CalendarDate(Date(), in: .europeLondon)
            let dryRun = dryRun
            let configuration: CharterConfiguration
            do {
                configuration = try CharterConfiguration.load()
            } catch {
                throw CommandFailed(description: "\(error)")
            }
            // By hand as by the scheduler: the run queues its digests (a dry run writes nothing).
            let queue = ReportQueue(renderer: try ReportRenderers.renderer(for: configuration))
            let report = try await withPool { pool in
                try await NightlyCompliance(pool: pool, reportQueue: queue).runByHand(
                    asOf: date, dryRun: dryRun, actor: commandActor)
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
                for error in report.errors { printError("  \(error)") }
            }
            if !report.errors.isEmpty { throw ExitCode(1) }
        }
    }
}

struct FlagsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flags", abstract: "Flags raised by the compliance run.", subcommands: [List.self, Show.self])

    /// A flag as `flags list --format json` has always printed it (scripts rely on these keys).
    struct ListedFlag: Encodable {
        var id: Int64
        var employerID: Int64
        var employer: String
        var period: String
        var standardID: String
        var subject: String
        var state: String
        var severity: String
        var updatedAt: Date

        init(_ flag: CharterDomain.Flag) {
            id = flag.id
            employerID = flag.employerID
            employer = flag.employerName
            period = flag.period.description
            standardID = flag.standardID
            subject = flag.subject
            state = flag.state.rawValue
            severity = flag.severity.rawValue
            updatedAt = flag.updatedAt
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
            if limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run() async throws {
            let filter = FlagStore.Filter(
                employerID: employer, state: state.flatMap(FlagState.init(rawValue:)),
                period: period.flatMap { ReportingPeriod($0) })
            let limit = limit
            let flags = try await withPool { pool in
                let store = FlagStore(pool: pool)
                var flags: [CharterDomain.Flag] = []
                var cursor: String?
                // Page by page, so --limit may ask for more than one page holds.
                repeat {
                    let page = try await store.list(
                        filter, visible: .all, cursor: cursor, limit: min(FlagStore.pageLimit, limit - flags.count))
                    flags += page.flags
                    cursor = page.nextCursor
                } while cursor != nil && flags.count < limit
                return flags
            }
            switch format {
            case .json: try printJSON(flags.map(ListedFlag.init))
            case .text:
                for f in flags {
                    print(
                        "\(f.id)\t\(f.employerID)\t\(f.period)\t\(f.standardID)\(f.subject.isEmpty ? "" : " (\(f.subject))")"
                            + "\t\(f.severity.rawValue)\t\(f.state.rawValue)\t\(f.employerName)")
                }
                print("\(flags.count) flag\(flags.count == 1 ? "" : "s")")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a flag with its evidence and history.")

        @Argument(help: "The flag's id.") var id: Int64
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let id = id
            guard let flag = try await withPool({ try await FlagStore(pool: $0).flag(id: id) }) else {
                throw CommandFailed(description: "there is no flag \(id)")
            }
            let history = flag.events.map { event in
                "\(event.at)  \(event.actor)  \(event.kind.rawValue)"
                    + (event.toState.map { "  \(event.fromState?.rawValue ?? "-") → \($0.rawValue)" } ?? "")
                    + (event.note.map { "  \($0)" } ?? "")
            }
            // The admin's view: the evidence in full, as the employer sees it.
            let evidence = flag.evidence.jsonData()
            switch format {
            case .json:
                var object: [String: Any] = [
                    "id": flag.id, "employer_id": flag.employerID, "employer": flag.employerName,
                    "period": flag.period.description, "standard_id": flag.standardID, "subject": flag.subject,
                    "state": flag.state.rawValue, "severity": flag.severity.rawValue, "history": history,
                    "evidence": (try? JSONSerialization.jsonObject(with: evidence)) ?? [:],
                ]
                if let response = flag.response {
                    object["response"] = [
                        "explanation": response.explanation,
                        "action_plan": response.actionPlan.map { $0 as Any } ?? NSNull(),
                        "target_date": response.targetDate.map { $0.description as Any } ?? NSNull(),
                    ]
                }
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
                printRawJSON(String(decoding: data, as: UTF8.self))
            case .text:
                print("Flag \(flag.id): \(flag.standardID)\(flag.subject.isEmpty ? "" : " (\(flag.subject))")")
                print(
                    "  employer \(flag.employerID) (\(flag.employerName)), \(flag.period), \(flag.severity.rawValue),"
                        + " \(flag.state.rawValue)")
                print("  evidence: \(String(decoding: evidence, as: UTF8.self))")
                if let response = flag.response {
                    print("  response: \(response.explanation)")
                    if let plan = response.actionPlan {
                        print("  action plan: \(plan)\(response.targetDate.map { " (by \($0))" } ?? "")")
                    }
                }
                print("  history:")
                for event in history { print("    \(event)") }
            }
        }
    }
}

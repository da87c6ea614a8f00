import ArgumentParser
import CharterDomain
import CharterStore
import Foundation
import NIOCore
import NIOFileSystem

struct ReturnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "return", abstract: "Submit quarterly returns and look at their versions.",
        subcommands: [Submit.self, Show.self, History.self, Diff.self])

    /// The employer and period every return subcommand names.
    struct Which: ParsableArguments {
        @Option(help: "The employer's id.") var employer: Int64
        @Option(help: "The reporting period, e.g. 2026-Q3.") var period: String

        func validate() throws {
            guard ReportingPeriod(period) != nil else {
                throw ValidationError("--period \(period) is not a quarter; write it like 2026-Q3")
            }
        }

        var reportingPeriod: ReportingPeriod { ReportingPeriod(period) ?? ReportingPeriod(year: 2000, quarter: 1)! }
    }

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit a return: the JSON header, and the worker lines as CSV (or inside the JSON).",
            discussion: """
                Exits 0 when the return is stored (or equals the latest version), 1 when it is rejected:
                every error is listed with its line and column, and nothing is stored.
                """)

        @OptionGroup var which: Which
        @Option(help: "The header JSON file (SPEC §3).") var header: String
        @Option(help: "The worker-line CSV file.") var lines: String?
        @Option(help: "A key that makes a retried submission return the first result.") var idempotencyKey: String?
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        struct Rejection: Encodable {
            var accepted = false
            var totalErrors: Int
            var errors: [ReturnIssue]
            var warnings: [ReturnIssue]
        }

        func run() async throws {
            let headerData: Data
            do {
                headerData = try Data(contentsOf: URL(fileURLWithPath: header))
            } catch {
                throw CommandFailed(description: "cannot read the header file \(header): \(error.localizedDescription)")
            }
            let submission = ReturnSubmission(
                employerID: which.employer, period: which.reportingPeriod, submittedBy: commandActor,
                header: headerData,
                idempotencyKey: idempotencyKey)
            let linesPath = lines
            // The header's headcount sizes the progress bar (a guess; the file decides).
            let expectedLines =
                (try? JSONSerialization.jsonObject(with: headerData) as? [String: Any])?["headcount"] as? Int
            let outcome = try await withPool { pool in
                let store = ReturnStore(pool: pool)
                guard let linesPath else { return try await store.submit(submission) }
                do {
                    return try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(linesPath)) { handle in
                        let chunks = handle.readChunks(chunkLength: .mebibytes(1)).map { Array($0.readableBytesView) }
                        var bar = Progress(label: "reading \(linesPath)", total: expectedLines)
                        var seen = 0
                        let outcome = try await store.submit(submission, csv: chunks) { lines in
                            seen = lines
                            bar.update(done: lines, rows: lines)
                        }
                        bar.finish(done: seen, rows: seen)
                        return outcome
                    }
                } catch let error as FileSystemError {
                    throw CommandFailed(description: "cannot read the lines file \(linesPath): \(error.message)")
                }
            }
            switch outcome {
            case .accepted(let result):
                switch format {
                case .json: try printJSON(result)
                case .text: printAccepted(result)
                }
            case .rejected(let report):
                switch format {
                case .json:
                    try printJSON(
                        Rejection(totalErrors: report.totalErrors, errors: report.errors, warnings: report.warnings))
                case .text:
                    printError(
                        "The return was rejected with \(report.totalErrors) error\(report.totalErrors == 1 ? "" : "s");"
                            + " nothing was stored.")
                    for issue in report.errors { printError("  \(issue)") }
                    if report.unlistedErrors > 0 { printError("  … and \(report.unlistedErrors) more errors") }
                }
                throw ExitCode(1)
            }
        }

        func printAccepted(_ result: SubmissionResult) {
            let version = result.version
            let whose = "employer \(version.employerID)'s \(version.period) return"
            switch result.status {
            case .created:
                print(
                    "Stored version \(version.version) of \(whose): \(version.lineCount) worker lines"
                        + (result.replayed ? " (the result of the earlier request with this Idempotency-Key)" : "")
                        + ".")
                let changes = version.changes
                if let previous = changes.previousVersion {
                    var parts = [
                        "\(changes.linesAdded) lines added", "\(changes.linesRemoved) removed",
                        "\(changes.linesChanged) changed",
                    ]
                    if changes.previousLinesPurged {
                        parts = ["lines not compared (version \(previous)'s were deleted)"]
                    }
                    if !changes.headerFields.isEmpty {
                        parts.append("header: \(changes.headerFields.joined(separator: ", "))")
                    }
                    print("  Against version \(previous): \(parts.joined(separator: "; ")).")
                }
            case .unchanged:
                print(
                    "Nothing new: the content equals version \(version.version) of \(whose), so no version was added.")
            }
            if let due = version.dueDate, let late = version.late {
                print("  Due \(due); \(late ? "received late" : "received in time").")
            }
            if !version.warnings.isEmpty {
                print("  \(version.warnings.count) warning\(version.warnings.count == 1 ? "" : "s"):")
                for warning in version.warnings { print("    \(warning)") }
            }
            print("  Content hash \(version.contentHash)")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a version of a return (the latest by default).")

        @OptionGroup var which: Which
        @Option(help: "The version number.") var version: Int?
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        struct Shown: Encodable {
            var version: ReturnVersion
            var header: ReturnHeader
        }

        func run() async throws {
            let which = which
            let number = version
            let shown = try await withPool { pool in
                try await ReturnStore(pool: pool).show(
                    employerID: which.employer, period: which.reportingPeriod, version: number)
            }
            guard let shown else {
                throw CommandFailed(
                    description: "employer \(which.employer) has no \(number.map { "version \($0) of its " } ?? "")"
                        + "\(which.period) return")
            }
            switch format {
            case .json: try printJSON(Shown(version: shown.version, header: shown.header))
            case .text:
                let v = shown.version
                print("Employer \(v.employerID), \(v.period), version \(v.version)")
                print("  received \(v.receivedAt) from \(v.submittedBy) as \(v.source)")
                print("  \(v.lineCount) worker lines, headcount \(shown.header.headcount)")
                if let due = v.dueDate, let late = v.late { print("  due \(due); \(late ? "late" : "in time")") }
                print("  \(shown.header.contractors.count) contractors, \(v.warnings.count) warnings")
                print("  content hash \(v.contentHash)")
            }
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every version of a return.")

        @OptionGroup var which: Which
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let which = which
            let versions = try await withPool { pool in
                try await ReturnStore(pool: pool).history(employerID: which.employer, period: which.reportingPeriod)
            }
            switch format {
            case .json: try printJSON(versions)
            case .text:
                if versions.isEmpty { print("No return from employer \(which.employer) for \(which.period).") }
                for v in versions {
                    let c = v.changes
                    let change =
                        c.previousVersion == nil
                        ? "first version"
                        : "+\(c.linesAdded) -\(c.linesRemoved) ~\(c.linesChanged)"
                            + (c.headerFields.isEmpty ? "" : " header: \(c.headerFields.joined(separator: ", "))")
                    print("v\(v.version)\t\(v.receivedAt)\t\(v.submittedBy)\t\(v.lineCount) lines\t\(change)")
                }
            }
        }
    }

    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Compare two versions of a return.")

        @OptionGroup var which: Which
        @Option(help: "The older version.") var from: Int
        @Option(help: "The newer version.") var to: Int
        @Option(help: "Most worker lines to list.") var limit = 100
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let which = which
            let (from, to, limit) = (from, to, limit)
            let diff = try await withPool { pool in
                try await ReturnStore(pool: pool).diff(
                    employerID: which.employer, period: which.reportingPeriod, from: from, to: to, limit: limit)
            }
            switch format {
            case .json: try printJSON(diff)
            case .text:
                print(
                    "Version \(from) → \(to): \(diff.linesAdded) lines added, \(diff.linesRemoved) removed,"
                        + " \(diff.linesChanged) changed"
                        + (diff.headerFields.isEmpty ? "" : "; header: \(diff.headerFields.joined(separator: ", "))"))
                for line in diff.lines ?? [] {
                    switch line.kind {
                    case .added: print("+ \(line.workerRef)")
                    case .removed: print("- \(line.workerRef)")
                    case .changed:
                        let columns = line.columns.map { "\($0.column) \($0.old ?? "blank") → \($0.new ?? "blank")" }
                        print("~ \(line.workerRef): \(columns.joined(separator: ", "))")
                    }
                }
            }
        }
    }
}

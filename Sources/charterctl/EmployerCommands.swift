import ArgumentParser
import CharterDomain
import CharterStore
import Foundation
import NIOCore
import NIOFileSystem

struct EmployerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "employer", abstract: "Register, list, show and import employers.",
        subcommands: [Add.self, List.self, Show.self, ImportGPG.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register an employer.")

        @Option(help: "The employer's name.") var name: String
        @Option(help: "Companies House number: 8 digits, or 2 letters and 6 digits (optional for public bodies).")
        var companyNumber: String?
        @Option(help: "private, public or voluntary.") var sector: String = "private"
        @ArgumentParser.Flag(help: "The employer has workplaces in Greater London.") var london = false
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func validate() throws {
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("--name must not be blank")
            }
            if let companyNumber, CompanyNumber(companyNumber) == nil {
                throw ValidationError(
                    "--company-number \(companyNumber) is not a Companies House number (8 digits, or 2 letters and 6 digits, e.g. SC016876)"
                )
            }
            guard Sector(rawValue: sector) != nil else {
                throw ValidationError("--sector must be private, public or voluntary")
            }
        }

        func run() async throws {
            let employer = Employer(
                name: name.trimmingCharacters(in: .whitespaces),
                companyNumber: companyNumber.flatMap { CompanyNumber($0) },
                sector: Sector(rawValue: sector) ?? .private, hasLondonWorkplaces: london)
            let stored = try await withPool { try await EmployerStore(pool: $0).add(employer, actor: commandActor) }
            switch format {
            case .json: try printJSON(stored)
            case .text: print("Registered employer \(stored.id ?? 0): \(stored.name)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List employers by name.")

        @Option(help: "Only employers whose name contains this text.") var search: String?
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let employers = try await withPool { try await EmployerStore(pool: $0).list(search: search) }
            switch format {
            case .json: try printJSON(employers)
            case .text:
                for employer in employers {
                    let number = employer.companyNumber?.value ?? "-"
                    print("\(employer.id ?? 0)\t\(number)\t\(employer.sector.rawValue)\t\(employer.name)")
                }
                print("\(employers.count) employer\(employers.count == 1 ? "" : "s")")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one employer with its pledges.")

        @Argument(help: "The employer's id.") var id: Int64
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        struct Shown: Encodable {
            var employer: Employer
            var pledges: [PledgeRecord]
        }

        func run() async throws {
            let shown = try await withPool { pool in
                guard let employer = try await EmployerStore(pool: pool).find(id: id) else {
                    throw CommandFailed(description: "there is no employer \(id)")
                }
                return Shown(employer: employer, pledges: try await PledgeStore(pool: pool).list(employerID: id))
            }
            switch format {
            case .json: try printJSON(shown)
            case .text:
                let e = shown.employer
                print("Employer \(e.id ?? 0): \(e.name)")
                print("  company number: \(e.companyNumber?.value ?? "none")")
                print("  sector: \(e.sector.rawValue)\(e.hasLondonWorkplaces ? ", London workplaces" : "")")
                if let band = e.sizeBand { print("  size: \(band)") }
                if !e.sicCodes.isEmpty { print("  SIC codes: \(e.sicCodes.joined(separator: ", "))") }
                if let address = e.address { print("  address: \(address)") }
                for pledge in shown.pledges {
                    print(
                        "  pledge \(pledge.id): \(pledge.tier)\(pledge.livingHours ? " + living hours" : "") to"
                            + " \(pledge.charterVersion) from \(pledge.validFrom)"
                            + (pledge.validTo.map { " to \($0)" } ?? ""))
                }
            }
        }
    }

    struct ImportGPG: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-gpg",
            abstract:
                "Import employers from a Gender Pay Gap service CSV download (re-importing updates, never duplicates).")

        @Argument(help: "The GPG CSV file.") var file: String
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        struct Summary: Encodable {
            var inserted: Int
            var updated: Int
            var unchanged: Int
            var skipped: Int
            var errors: [ReturnIssue]
            var warnings: [ReturnIssue]
        }

        func run() async throws {
            let path = file
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            let (summary, report) = try await withPool { pool in
                let store = EmployerStore(pool: pool)
                var reader = GPGImportReader()
                var total = EmployerImportSummary()
                var batch: [Employer] = []
                var progress = Progress(label: "importing \(path)", total: size)
                var bytes = 0
                do {
                    try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
                        for try await chunk in handle.readChunks(chunkLength: .kibibytes(256)) {
                            bytes += chunk.readableBytes
                            reader.consume(chunk.readableBytesView) { batch.append(Employer(gpg: $0)) }
                            if batch.count >= 500 {
                                total.add(try await store.upsert(batch, actor: commandActor, source: path))
                                batch.removeAll()
                            }
                            progress.update(done: bytes, rows: total.total + batch.count)
                        }
                    }
                } catch let error as FileSystemError {
                    throw CommandFailed(description: "cannot read \(path): \(error.message)")
                }
                reader.finish { batch.append(Employer(gpg: $0)) }
                if !batch.isEmpty { total.add(try await store.upsert(batch, actor: commandActor, source: path)) }
                progress.finish(done: bytes, rows: total.total)
                return (total, reader.report)
            }
            let shown = Summary(
                inserted: summary.inserted, updated: summary.updated, unchanged: summary.unchanged,
                skipped: report.totalErrors, errors: report.errors, warnings: report.warnings)
            switch format {
            case .json: try printJSON(shown)
            case .text:
                print(
                    "Imported \(summary.total) employers from \(path): \(summary.inserted) new, \(summary.updated) updated,"
                        + " \(summary.unchanged) unchanged; \(report.totalErrors) rows skipped.")
                for issue in report.errors { printError("  skipped: \(issue)") }
                for issue in report.warnings { printError("  note: \(issue)") }
            }
        }
    }
}

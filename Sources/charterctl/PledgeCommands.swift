import ArgumentParser
import CharterDomain
import CharterStore
import Foundation
import Mail

struct PledgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pledge", abstract: "Record and list employers' pledges.", subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a pledge to the charter at a tier.",
            discussion: """
                Overrides may only tighten a standard, e.g. --overrides '{"hours.zero-hours-share": {"threshold_percent": 3}}'.
                """)

        @Option(help: "The employer's id.") var employer: Int64
        @Option(help: "aspiring or accredited.") var tier: String
        @ArgumentParser.Flag(help: "The employer also commits to Living Hours.") var livingHours = false
        @Option(help: "First day of the pledge (YYYY-MM-DD); today by default.") var from: String?
        @Option(help: "Day the pledge ends (exclusive, YYYY-MM-DD); open-ended by default.") var to: String?
        @Option(help: "Charter version label; the one in force on --from by default.") var charterVersion: String?
        @Option(help: "Parameter overrides as JSON, or @FILE to read them from a file.") var overrides: String?
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func validate() throws {
            guard Tier(rawValue: tier) != nil else { throw ValidationError("--tier must be aspiring or accredited") }
            if let from, CalendarDate(iso: from) == nil {
                throw ValidationError("--from \(from) is not a date; write it as YYYY-MM-DD")
            }
            if let to, CalendarDate(iso: to) == nil {
                throw ValidationError("--to \(to) is not a date; write it as YYYY-MM-DD")
            }
        }

        func run() async throws {
            var parsedOverrides = PledgeOverrides()
            if let overrides {
                let data: Data
                if overrides.hasPrefix("@") {
                    let path = String(overrides.dropFirst())
                    do {
                        data = try Data(contentsOf: URL(fileURLWithPath: path))
                    } catch {
                        throw CommandFailed(description: "cannot read the overrides file \(path)")
                    }
                } else {
                    data = Data(overrides.utf8)
                }
                do {
                    parsedOverrides = try PledgeOverrides(json: data)
                } catch {
                    throw CommandFailed(description: "\(error)")
                }
            }
            let start = from.flatMap { CalendarDate(iso: $0) } ?? CalendarDate(Date(), in: .europeLondon)
            let (employer, tier, livingHours, to, version) = (
                employer, Tier(rawValue: tier) ?? .aspiring, livingHours, to.flatMap { CalendarDate(iso: $0) },
                charterVersion
            )
            let overridesValue = parsedOverrides
            let pledge = try await withPool { pool in
                try await PledgeStore(pool: pool).add(
                    employerID: employer, tier: tier, livingHours: livingHours, overrides: overridesValue,
                    validFrom: start, validTo: to, charterVersion: version, actor: commandActor)
            }
            switch format {
            case .json: try printJSON(pledge)
            case .text:
                print(
                    "Recorded pledge \(pledge.id): \(pledge.employerName) at \(pledge.tier)"
                        + "\(pledge.livingHours ? " with Living Hours" : "") to \(pledge.charterVersion) from \(pledge.validFrom)"
                        + (pledge.validTo.map { " until \($0)" } ?? ""))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List pledges.")

        @Option(help: "Only this employer's pledges.") var employer: Int64?
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let employer = employer
            let pledges = try await withPool { try await PledgeStore(pool: $0).list(employerID: employer) }
            switch format {
            case .json: try printJSON(pledges)
            case .text:
                for p in pledges {
                    print(
                        "\(p.id)\t\(p.employerID)\t\(p.employerName)\t\(p.tier)\(p.livingHours ? "+living-hours" : "")"
                            + "\t\(p.validFrom)\t\(p.validTo?.description ?? "-")\t\(p.charterVersion)")
                }
                print("\(pledges.count) pledge\(pledges.count == 1 ? "" : "s")")
            }
        }
    }
}

struct ContactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contact", abstract: "Employer contacts who receive digests and reminders.",
        subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a contact to an employer.")

        @Option(help: "The employer's id.") var employer: Int64
        @Option(help: "The contact's name.") var name: String
        @Option(help: "The contact's email address.") var email: String
        @Option(help: "Their role, e.g. HR manager.") var role: String?
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        /// The same check as the API's: digests and reminders must be able to reach the address.
        func validate() throws {
            do throws(MailError) {
                _ = try MailAddress(address: email)
            } catch {
                throw ValidationError("--email \(email) cannot be mailed to. \(error.message)")
            }
        }

        func run() async throws {
            let (employer, name, email, role) = (employer, name, email, role)
            let id = try await withPool { pool in
                try await EmployerStore(pool: pool).addContact(
                    employerID: employer, name: name, email: email, role: role, actor: commandActor)
            }
            switch format {
            case .json: try printJSON(["id": id])
            case .text: print("Added contact \(id) (\(name) <\(email)>) to employer \(employer)")
            }
        }
    }
}

import ArgumentParser
import CharterDomain
import CharterStore
import Foundation

struct RatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rates", abstract: "The Real Living Wage and statutory minimum wage rates.",
        subcommands: [List.self, Add.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every rate.")

        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        struct Listed: Encodable {
            var realLivingWage: [RealLivingWageRate]
            var minimumWage: [MinimumWageRates]
        }

        func run() async throws {
            let table = try await withPool { try await RateStore(pool: $0).table() }
            switch format {
            case .json: try printJSON(Listed(realLivingWage: table.realLivingWage, minimumWage: table.minimumWage))
            case .text:
                print("Real Living Wage (in force from the deadline)")
                print("  year\tUK\tLondon\tannounced\tdeadline")
                for r in table.realLivingWage {
                    print("  \(r.rateYear)\t\(r.uk)\t\(r.london)\t\(r.announcedOn)\t\(r.deadline)")
                }
                print("Statutory minimum wage (in force from the effective date)")
                print("  effective\t21+\t18-20\tunder 18\tapprentice")
                for m in table.minimumWage {
                    let bands = [MinimumWageBand.twentyOnePlus, .eighteenToTwenty, .under18, .apprentice]
                    print(
                        "  \(m.effectiveFrom)\t"
                            + bands.map { m.rates[$0].map { "\($0)" } ?? "-" }.joined(separator: "\t"))
                }
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a Real Living Wage rate year, or a statutory minimum wage table.",
            discussion: """
                Real Living Wage: --rate-year 2026-27 --uk 13.90 --london 15.10 --announced 2026-10-20 --deadline 2027-05-01
                Statutory minimum: --effective 2027-04-01 --adult 13.10 --age-18-20 11.20 --under-18 8.40 --apprentice 8.40
                """)

        @Option(help: "Real Living Wage rate year, e.g. 2026-27.") var rateYear: String?
        @Option(help: "UK rate in pounds per hour.") var uk: String?
        @Option(help: "London rate in pounds per hour.") var london: String?
        @Option(help: "Date the rate was announced.") var announced: String?
        @Option(help: "Date employers must pay it from.") var deadline: String?
        @Option(help: "Statutory minimum: date the rates take effect.") var effective: String?
        @Option(help: "Statutory minimum, 21 and over.") var adult: String?
        @Option(name: .customLong("age-18-20"), help: "Statutory minimum, 18 to 20.") var age18To20: String?
        @Option(name: .customLong("under-18"), help: "Statutory minimum, under 18.") var under18: String?
        @Option(help: "Statutory minimum, apprentice rate.") var apprentice: String?
        @ArgumentParser.Flag(
            help:
                "Real Living Wage: correct a rate year already held (its figures are replaced; outcome figures follow)."
        ) var correct = false
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        static func money(_ text: String?, _ option: String) throws -> Decimal {
            guard let text, let value = Decimal(string: text, locale: Locale(identifier: "en_GB")), value > 0 else {
                throw ValidationError("--\(option) must be an amount in pounds, e.g. 12.60")
            }
            return value
        }

        static func date(_ text: String?, _ option: String) throws -> CalendarDate {
            guard let text, let date = CalendarDate(iso: text) else {
                throw ValidationError("--\(option) must be a date written YYYY-MM-DD")
            }
            return date
        }

        func validate() throws {
            guard (rateYear == nil) != (effective == nil) else {
                throw ValidationError(
                    "give either --rate-year (a Real Living Wage rate) or --effective (statutory minimum rates)")
            }
            if correct, rateYear == nil {
                throw ValidationError("--correct corrects a Real Living Wage rate year: give --rate-year")
            }
            if rateYear != nil {
                _ = try Self.money(uk, "uk")
                _ = try Self.money(london, "london")
                _ = try Self.date(announced, "announced")
                _ = try Self.date(deadline, "deadline")
            } else {
                _ = try Self.date(effective, "effective")
                _ = try Self.money(adult, "adult")
                _ = try Self.money(age18To20, "age-18-20")
                _ = try Self.money(under18, "under-18")
                _ = try Self.money(apprentice, "apprentice")
            }
        }

        func run() async throws {
            if let rateYear {
                let rate = RealLivingWageRate(
                    rateYear: rateYear, uk: try Self.money(uk, "uk"), london: try Self.money(london, "london"),
                    announcedOn: try Self.date(announced, "announced"), deadline: try Self.date(deadline, "deadline"))
                let moved = try await withPool {
                    try await RateStore(pool: $0).add(rate, actor: commandActor, correcting: correct)
                }
                switch format {
                case .json: try printJSON(rate)
                case .text:
                    print(
                        "\(correct ? "Corrected" : "Added") Real Living Wage \(rateYear): UK \(rate.uk),"
                            + " London \(rate.london), from \(rate.deadline)"
                            + (moved > 0 ? "; below_rlw moved for \(moved) return version(s)" : ""))
                }
            } else {
                let rates = MinimumWageRates(
                    effectiveFrom: try Self.date(effective, "effective"),
                    rates: [
                        .twentyOnePlus: try Self.money(adult, "adult"),
                        .eighteenToTwenty: try Self.money(age18To20, "age-18-20"),
                        .under18: try Self.money(under18, "under-18"),
                        .apprentice: try Self.money(apprentice, "apprentice"),
                    ])
                try await withPool { try await RateStore(pool: $0).add(rates, actor: commandActor) }
                switch format {
                case .json: try printJSON(rates)
                case .text: print("Added statutory minimum wage rates from \(rates.effectiveFrom)")
                }
            }
        }
    }
}

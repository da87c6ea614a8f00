import ArgumentParser
import CharterApp
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import PGClient

/// `charterctl demo`: the README's first command seeds a realistic charter before starting charterd.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Seed a demo charter into an empty database (once) and print the demo sign-ins.",
        discussion: """
            Imports the employers in the Gender Pay Gap style file, pledges them at both tiers, submits two \
            quarters of returns (clean employers and a spread of breaches, one return missing), adds two \
            union reps covering some employers and a sign-in for each role, then runs the nightly compliance \
            once. A database that already holds employers is left alone.
            """)

    @Option(help: "The employers, as a Gender Pay Gap service CSV.") var employers = "demo/employers-gpg.csv"
    @Option(help: "Today's date for the demo (YYYY-MM-DD); today by default.") var asOf: String?
    @Option(help: "Output format: text or json.") var format: OutputFormat = .text

    func validate() throws {
        if let asOf, CalendarDate(iso: asOf) == nil { throw ValidationError("--as-of must be a date, YYYY-MM-DD") }
    }

    func run() async throws {
        let file: Data
        do {
            file = try Data(contentsOf: URL(fileURLWithPath: employers))
        } catch {
            throw CommandFailed(description: "cannot read \(employers): run charterctl demo from the repository")
        }
        let today = asOf.flatMap { CalendarDate(iso: $0) } ?? CalendarDate(Date(), in: .europeLondon)
        _ = try await withDatabase { try await CharterSchema.migrator().migrate(on: $0) }
        let configuration = try? CharterConfiguration.load()
        let queue = ReportQueue(renderer: try ReportRenderers.renderer(for: configuration ?? CharterConfiguration()))
        let seeded = try await withPool {
            try await CharterDemo.seedIfEmpty(pool: $0, gpgFile: file, today: today, reportQueue: queue)
        }
        let address = configuration.map { "http://\($0.httpHost):\($0.httpPort)" } ?? "http://127.0.0.1:8080"
        switch format {
        case .json:
            try printJSON(seeded)
        case .text:
            guard let seeded else {
                print("The database already holds employers: the demo was not seeded again.")
                print("Sign in at \(address)/sign-in")
                return
            }
            print(
                "Demo seeded: \(seeded.employers) employers, \(seeded.returns) returns, "
                    + "\(seeded.flagsOpened) flags opened by the nightly run.")
            print("Once charterd is up, sign in at \(address)/sign-in with:")
            for signIn in seeded.signIns {
                print(
                    "  \(signIn.role.padding(toLength: 9, withPad: " ", startingAt: 0)) \(signIn.email)  password \(signIn.password)  (sees \(signIn.sees))"
                )
            }
        }
    }
}

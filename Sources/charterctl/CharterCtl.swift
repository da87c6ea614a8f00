import ArgumentParser
import CharterApp
import Foundation

/// The admin CLI. Subcommands share charterd's settings, so they reach the same database.
@main
struct CharterCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "charterctl",
        abstract: "Administer CharterWatch: schema, employers, returns, runs, reps, tokens, users, audit.",
        subcommands: [
            Migrate.self, EmployerCommand.self, ContactCommand.self, PledgeCommand.self, ReturnCommand.self,
            RatesCommand.self, RunCommand.self, FlagsCommand.self, ExemptionCommand.self, RulesCommand.self,
            RepCommand.self, TokenCommand.self, UserCommand.self, AuditCommand.self, OutboxCommand.self,
            DemoCommand.self, ReportsCommand.self, ReadinessCommand.self, OutcomesCommand.self, ApplicationCommand.self,
        ]
    )

    /// SPEC §9 exit statuses: 0 success, 1 input rejected or operation failed, 2 usage error.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            // Already explained on stdout or stderr (a rejected return).
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            printError(fullMessage(for: error))
            if error is CleanExit { Foundation.exit(0) }
            Foundation.exit(code == .validationFailure ? 2 : 1)
        }
    }
}

/// How results are printed.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// A failure already explained to the user; exit status 1.
struct CommandFailed: Error, CustomStringConvertible {
    var description: String
}

import ArgumentParser
import CharterAccess
import CharterStore
import Foundation

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "People who sign in to the web pages.",
        subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user; the password comes from standard input or a file, never the command line.",
            discussion: """
                The password is the first line of standard input (typed without echo on a terminal), or of
                --password-file. Command-line arguments are visible to every user of the machine (ps), so
                there is no --password. An employer user needs --employer, a rep user --rep.
                """)

        @Option(help: "The address the user signs in with.") var email: String
        @Option(help: "The name shown on the pages.") var name: String
        @Option(help: "admin, employer, rep or viewer.") var role: String
        @Option(help: "The employer an employer user belongs to.") var employer: Int64?
        @Option(help: "The rep a rep user is.") var rep: Int64?
        @Option(help: "A file whose first line is the password (instead of standard input).") var passwordFile: String?
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func validate() throws {
            guard Role(rawValue: role) != nil else {
                throw ValidationError("--role \(role) is not a role; use admin, employer, rep or viewer")
            }
        }

        func run() async throws {
            let password = try readPassword()
            let role = Role(rawValue: role) ?? .viewer
            let (email, name, employer, rep) = (email, name, employer, rep)
            let user = try await withPool { pool in
                try await UserStore(pool: pool).create(
                    email: email, displayName: name, role: role, employerID: employer, repID: rep,
                    password: password, by: commandActor)
            }
            switch format {
            case .json: try printJSON(user)
            case .text: print("Created user \(user.id): \(user.displayName) <\(user.email)>, \(describe(user))")
            }
        }

        /// The first line of `--password-file`, or of standard input.
        func readPassword() throws -> String {
            if let passwordFile {
                let text: String
                do {
                    text = try String(contentsOfFile: passwordFile, encoding: .utf8)
                } catch {
                    throw CommandFailed(description: "cannot read the password file \(passwordFile)")
                }
                return try firstLine(text, from: "the password file \(passwordFile)")
            }
            let line: String?
            if isatty(STDIN_FILENO) == 1 {
                line = readLineWithoutEcho(prompt: "Password for \(email): ")
            } else {
                line = readLine(strippingNewline: true)
            }
            return try firstLine(line ?? "", from: "standard input")
        }

        private func firstLine(_ text: String, from source: String) throws -> String {
            // `isNewline` also matches "\r\n", which Swift reads as one character.
            let password = String(
                text.split(maxSplits: 1, omittingEmptySubsequences: false) { $0.isNewline }.first ?? "")
            guard !password.isEmpty else {
                throw CommandFailed(
                    description:
                        "no password was given: \(source) is empty (give it as the first line of standard input,"
                        + " or with --password-file FILE)")
            }
            return password
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users (never their password hashes).")

        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let users = try await withPool { try await UserStore(pool: $0).list() }
            switch format {
            case .json: try printJSON(users)
            case .text:
                for user in users {
                    let state = user.disabledAt.map { "disabled \($0.formatted(.iso8601))" } ?? "active"
                    print("\(user.id)\t\(user.email)\t\(user.displayName)\t\(describe(user))\t\(state)")
                }
                print("\(users.count) user\(users.count == 1 ? "" : "s")")
            }
        }
    }
}

/// "role employer, employer 5" for a sentence.
private func describe(_ user: User) -> String {
    var text = "role \(user.role.rawValue)"
    if let employer = user.employerID { text += ", employer \(employer)" }
    if let rep = user.repID { text += ", rep \(rep)" }
    return text
}

/// Reads one line from the terminal with echo turned off, so the password is not shown.
private func readLineWithoutEcho(prompt: String) -> String? {
    FileHandle.standardError.write(Data(prompt.utf8))
    var saved = termios()
    guard tcgetattr(STDIN_FILENO, &saved) == 0 else { return readLine(strippingNewline: true) }
    var quiet = saved
    quiet.c_lflag &= ~tcflag_t(ECHO)
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
    defer {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
        FileHandle.standardError.write(Data("\n".utf8))
    }
    return readLine(strippingNewline: true)
}

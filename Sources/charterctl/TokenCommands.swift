import ArgumentParser
import CharterAccess
import CharterDomain
import CharterStore
import Foundation

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "API tokens for payroll systems and scripts (shown once, stored as a hash).",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API token and print it, once.",
            discussion: """
                An employer token needs --employer, a rep token --rep; admin and viewer tokens take neither.
                The token is printed only now: the database keeps its SHA-256, never the token itself.
                """)

        @Option(help: "admin, employer, rep or viewer.") var role: String
        @Option(help: "The employer an employer token belongs to.") var employer: Int64?
        @Option(help: "The rep a rep token acts for.") var rep: Int64?
        @Option(help: "What the token is for, e.g. \"Sage payroll export\".") var label: String?
        @Option(help: "Last day the token works (YYYY-MM-DD, until midnight Europe/London); never expires if left out.")
        var expires: String?
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        struct Created: Encodable {
            var token: String
            var record: APITokenRecord
        }

        func validate() throws {
            guard Role(rawValue: role) != nil else {
                throw ValidationError("--role \(role) is not a role; use admin, employer, rep or viewer")
            }
            if let expires, CalendarDate(iso: expires) == nil {
                throw ValidationError("--expires \(expires) is not a date; write it as YYYY-MM-DD")
            }
        }

        func run() async throws {
            let role = Role(rawValue: role) ?? .viewer
            let (employer, rep, label) = (employer, rep, label)
            // The token works through the whole of its last day, as people read "expires 31 March".
            let expiresAt = expires.flatMap { CalendarDate(iso: $0) }?.adding(days: 1)
                .start(in: .europeLondon)
            let issued = try await withPool { pool in
                try await TokenStore(pool: pool).create(
                    role: role, employerID: employer, repID: rep, label: label, expiresAt: expiresAt,
                    createdBy: commandActor)
            }
            switch format {
            case .json: try printJSON(Created(token: issued.token.text, record: issued.record))
            case .text:
                let record = issued.record
                let expiry = record.expiresAt.map { ", works until \($0.formatted(.iso8601))" } ?? ", no expiry"
                print("Created API token \(record.id) (\(issued.token)): \(describe(record))\(expiry).")
                print("Copy it now; it is not shown again:")
                print(issued.token.text)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List API tokens (never their secrets).")

        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let tokens = try await withPool { try await TokenStore(pool: $0).list() }
            switch format {
            case .json: try printJSON(tokens)
            case .text:
                for token in tokens {
                    let state =
                        token.revokedAt.map { "revoked \($0.formatted(.iso8601))" }
                        ?? token.expiresAt.map { "expires \($0.formatted(.iso8601))" } ?? "no expiry"
                    let used = token.lastUsedAt.map { "last used \($0.formatted(.iso8601))" } ?? "never used"
                    print(
                        "\(token.id)\tcw_\(token.prefix)_…\t\(describe(token))\t\(state)\t\(used)\t\(token.label ?? "")"
                    )
                }
                print("\(tokens.count) token\(tokens.count == 1 ? "" : "s")")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API token at once.")

        @Argument(help: "The token's id (from `charterctl token list`).") var id: Int64
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let id = id
            let record = try await withPool { try await TokenStore(pool: $0).revoke(id: id, by: commandActor) }
            switch format {
            case .json: try printJSON(record)
            case .text: print("Revoked API token \(id) (cw_\(record.prefix)_…); requests with it are refused from now.")
            }
        }
    }
}

/// "role employer, employer 5" for a sentence.
private func describe(_ token: APITokenRecord) -> String {
    var text = "role \(token.role.rawValue)"
    if let employer = token.employerID { text += ", employer \(employer)" }
    if let rep = token.repID { text += ", rep \(rep)" }
    return text
}

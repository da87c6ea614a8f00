import CharterAccess
import CharterStore
import Foundation

/// The names pages give the actors the audit trail records: `user:12` is the user's display name,
/// `token:ab12cd34` the API token's label and prefix, the nightly run and `charterctl` say what they
/// are — so a page never shows a raw `user:N`.
struct ActorNames: Sendable {
    /// Display names by user id.
    var users: [Int64: String] = [:]
    /// Labels by token prefix, for the tokens that have one.
    var tokens: [String: String] = [:]

    /// The names `actors` need: users and tokens are read only when one of them is a user or a token.
    static func load(for actors: some Sequence<String>, users: UserStore) async throws -> ActorNames {
        var names = ActorNames()
        let actors = Array(actors)
        if actors.contains(where: { $0.hasPrefix(userPrefix) }) {
            for user in try await users.list() { names.users[user.id] = user.displayName }
        }
        if actors.contains(where: { $0.hasPrefix(tokenPrefix) }) {
            for token in try await TokenStore(pool: users.pool).list() {
                if let label = token.label { names.tokens[token.prefix] = label }
            }
        }
        return names
    }

    /// `user:`, as `Principal.userActor` writes it.
    static let userPrefix = String(Principal.userActor(0).dropLast())
    /// `token:`, as `Principal.tokenActor` writes it.
    static let tokenPrefix = Principal.tokenActor(prefix: "")

    /// What a page calls `actor`.
    func name(_ actor: String) -> String {
        if actor.hasPrefix(Self.userPrefix) {
            guard let id = Int64(actor.dropFirst(Self.userPrefix.count)), let name = users[id] else {
                return "a user no longer registered"
            }
            return name
        }
        if actor.hasPrefix(Self.tokenPrefix) {
            let prefix = String(actor.dropFirst(Self.tokenPrefix.count))
            if let label = tokens[prefix] { return "API token “\(label)” (\(prefix)…)" }
            return "API token \(prefix)…"
        }
        if actor.hasPrefix("charterctl:") {
            return "\(actor.dropFirst("charterctl:".count)) using charterctl"
        }
        return switch actor {
        case "nightly-compliance": "the nightly compliance check"
        case "system": "CharterWatch"
        default: actor
        }
    }
}

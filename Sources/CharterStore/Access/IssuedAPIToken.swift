public import CharterAccess

/// A token just created: the record, and the one and only time the whole token text is available.
///
/// Show `token.text` to its owner and forget it; `description` shows only the prefix.
public struct IssuedAPIToken: Sendable, CustomStringConvertible {
    public let record: APITokenRecord
    public let token: APIToken

    public var description: String { "token \(record.id) (\(token))" }
}

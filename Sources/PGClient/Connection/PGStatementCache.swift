/// The statements one connection has prepared, by SQL text and parameter types.
///
/// Prepared statements live as long as the server session, outside transactions (a rollback does
/// not undo them), so the cache lives as long as the connection. It is bounded: past `capacity`
/// statements, further ones run unprepared rather than evicting, since a connection's hot
/// statements are the first it meets again and again.
struct PGStatementCache {
    struct Key: Hashable {
        var sql: String
        var types: [UInt32]
    }

    /// At most this many statements are kept prepared per connection.
    static let capacity = 128

    private var names: [Key: String] = [:]
    private var nextNumber = 1

    /// The name `key` is prepared under, or nil when it is not.
    func name(for key: Key) -> String? { names[key] }

    /// Whether `key` should be prepared now.
    func shouldPrepare(_ key: Key) -> Bool {
        names[key] == nil && names.count < Self.capacity
    }

    /// A fresh statement name; names are never reused, so one forgotten on the client while still
    /// prepared on the server cannot be confused with another.
    mutating func reserveName() -> String {
        defer { nextNumber += 1 }
        return "cw_stmt_\(nextNumber)"
    }

    mutating func remember(_ key: Key, as name: String) { names[key] = name }

    /// Forgets a statement whose plan the server no longer accepts (its tables changed shape).
    mutating func forget(_ key: Key) { names[key] = nil }
}

/// The statements one connection has prepared, by SQL text and parameter types.
///
/// Prepared statements live as long as the server session, outside transactions (a rollback does
/// not undo them), so the cache lives as long as the connection. It is bounded: preparing one more
/// than `capacity` first evicts the least recently used, which the connection then deallocates on
/// the server, so a burst of rare statements (a client paging with every `limit` from 1 to 500)
/// cannot keep the hot ones unprepared for the rest of the connection's life.
struct PGStatementCache {
    struct Key: Hashable {
        var sql: String
        var types: [UInt32]

        /// The key of `query`: its text and its parameters' types.
        init(_ query: PGQuery) {
            sql = query.sql
            types = query.binds.map { UInt32($0.type.rawValue) }
        }
    }

    /// At most this many statements are kept prepared per connection.
    static let capacity = 128

    private struct Entry {
        var name: String
        var lastUse: UInt64
    }

    private var entries: [Key: Entry] = [:]
    private var nextNumber = 1
    private var clock: UInt64 = 0

    /// The name `key` is prepared under, or nil when it is not; a hit counts as a use.
    mutating func name(for key: Key) -> String? {
        guard let name = entries[key]?.name else { return nil }
        clock += 1
        entries[key]?.lastUse = clock
        return name
    }

    /// A fresh statement name; names are never reused, so one forgotten on the client while still
    /// prepared on the server cannot be confused with another.
    mutating func reserveName() -> String {
        defer { nextNumber += 1 }
        return "cw_stmt_\(nextNumber)"
    }

    /// Makes room for one more statement: removes and returns the name of the least recently used
    /// when the cache is full (the caller deallocates it on the server), nil when there is room.
    mutating func evictIfFull() -> String? {
        guard entries.count >= Self.capacity, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse })
        else { return nil }
        entries[oldest.key] = nil
        return oldest.value.name
    }

    mutating func remember(_ key: Key, as name: String) {
        clock += 1
        entries[key] = Entry(name: name, lastUse: clock)
    }

    /// Forgets a statement whose plan the server no longer accepts (its tables changed shape).
    mutating func forget(_ key: Key) { entries[key] = nil }
}

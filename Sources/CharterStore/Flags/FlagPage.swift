public import CharterDomain

/// One page of a flag list, newest first.
public struct FlagPage: Sendable, Codable {
    public var flags: [Flag]
    /// Pass to `FlagStore.list` for the next page; nil on the last page.
    public var nextCursor: String?

    public init(flags: [Flag], nextCursor: String?) {
        self.flags = flags
        self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey {
        case flags
        case nextCursor = "next_cursor"
    }
}

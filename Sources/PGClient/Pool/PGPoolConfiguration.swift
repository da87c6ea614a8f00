/// How a `PGPool` reaches PostgreSQL and how many connections it keeps.
public struct PGPoolConfiguration: Sendable {
    /// A `postgresql://` URL or libpq conninfo string. No default.
    public var conninfo: String
    /// Most connections open at once. Default 10.
    public var maxConnections: Int = 10
    /// How long `withConnection` waits for a free connection before failing with `.poolTimeout`.
    /// Default 10 seconds.
    public var acquireTimeout: Duration = .seconds(10)
    /// Idle connections unused this long are checked with a ping, and closed if broken.
    /// Default 30 seconds.
    public var keepAliveInterval: Duration = .seconds(30)
    /// Called with how long a lease waited in line for a connection, only when it had to wait (all
    /// connections busy). Default nil.
    ///
    /// For metrics: a lease that finds a connection at once costs nothing extra, so the hot path
    /// takes no clock reading and no second lock; a wait, already a slow path, reports its length.
    public var onAcquireWait: (@Sendable (Duration) -> Void)?
    /// Called, for each statement `PGPool.query(_:)` sends, with how long it waited in the queue for a
    /// connection to take it. Default nil, and then no clock is read.
    public var onStatementWait: (@Sendable (Duration) -> Void)?

    public init(conninfo: String) {
        self.conninfo = conninfo
    }
}

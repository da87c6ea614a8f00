import Dispatch
public import Logging
public import ServiceLifecycle
import Synchronization

/// A bounded pool of PostgreSQL connections, run as a ServiceLifecycle `Service`.
///
/// Connections are handed out only inside `withConnection {}` or `withTransaction {}`, so a
/// lease cannot outlive its scope. A connection that comes back broken or inside a transaction
/// is closed rather than reused. Callers beyond `maxConnections` wait in line (without holding
/// a thread) until a connection is returned or `acquireTimeout` passes. `run()` pings idle
/// connections to keep them alive and closes the pool on graceful shutdown; list the pool first
/// in a `ServiceGroup` so it stops last.
public final class PGPool: Service, Sendable {
    public let configuration: PGPoolConfiguration
    private let logger: Logger
    private let state = Mutex(State())
    /// The statements `query(_:)` has queued for the connections serving them.
    let statementQueue = PGStatementQueue()

    private struct Idle {
        var connection: PGConnection
        var since: ContinuousClock.Instant
    }

    /// What a waiter is woken with: a connection, or a free slot to open one itself.
    private enum Grant {
        case connection(PGConnection)
        case openSlot
    }

    private struct Waiter {
        var continuation: CheckedContinuation<Grant, any Error>
        /// When the wait ends with `.poolTimeout`, give or take one sweep interval.
        var deadline: DispatchTime
    }

    private struct State {
        var idle: [Idle] = []
        /// Connections leased out or being opened: the slots in use.
        var busy = 0
        var waiters: [UInt64: Waiter] = [:]
        var waiterOrder: [UInt64] = []
        var nextWaiter: UInt64 = 0
        /// Whether a sweep for expired waiters is scheduled (one timer for all waiters, not one each:
        /// under load most requests wait a moment, and a timer apiece cost more than the wait).
        var sweeping = false
        var closed = false
    }

    public init(configuration: PGPoolConfiguration, logger: Logger = Logger(label: "pg.pool")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Numbers for metrics and tests: idle connections, slots in use (leased or opening), leases waiting.
    public var statistics: (idle: Int, inUse: Int, waiting: Int) {
        state.withLock { ($0.idle.count, $0.busy, $0.waiters.count) }
    }

    // MARK: Leasing

    /// Runs `body` with a connection from the pool and returns it afterwards.
    @discardableResult
    public func withConnection<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PGConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await lease()
        do {
            let result = try await body(connection)
            await release(connection)
            return result
        } catch {
            await release(connection)
            throw error
        }
    }

    /// Runs `body` in a transaction on a pooled connection; see `PGConnection.withTransaction`.
    @discardableResult
    public func withTransaction<Result>(
        isolation level: PGIsolationLevel = .readCommitted,
        maxAttempts: Int = 5,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PGConnection) async throws -> Result
    ) async throws -> Result {
        try await withConnection { connection in
            try await connection.withTransaction(isolation: level, maxAttempts: maxAttempts) { connection in
                try await body(connection)
            }
        }
    }

    private enum LeaseDecision {
        case use(PGConnection)
        case open
        case wait
        case closed
    }

    private func lease() async throws -> PGConnection {
        try Task.checkCancellation()
        let decision: LeaseDecision = state.withLock { state in
            if state.closed { return .closed }
            if let idle = state.idle.popLast() {
                state.busy += 1
                return .use(idle.connection)
            }
            if state.busy < configuration.maxConnections {
                state.busy += 1
                return .open
            }
            return .wait
        }
        switch decision {
        case .closed: throw PGError(.poolClosed, message: "the connection pool has shut down")
        case .use(let connection):
            // Nothing arrived since its last statement: alive as far as a probe could tell, no hop.
            if connection.quietSinceLastStatement { return connection }
            if await !connection.probeAlive() {
                await discard(connection)
                return try await lease()
            }
            return connection
        case .open: return try await openForSlot()
        case .wait:
            let waitStarted = configuration.onAcquireWait == nil ? nil : ContinuousClock.now
            let grant = try await waitForGrant()
            if let waitStarted, let report = configuration.onAcquireWait { report(.now - waitStarted) }
            switch grant {
            case .connection(let connection): return connection
            case .openSlot: return try await openForSlot()
            }
        }
    }

    /// Opens a connection for a slot already counted in `busy`; gives the slot back on failure.
    private func openForSlot() async throws -> PGConnection {
        do {
            return try await PGConnection.connect(configuration.conninfo, logger: logger)
        } catch {
            freeSlot()
            throw error
        }
    }

    private func waitForGrant() async throws -> Grant {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        let timeout = configuration.acquireTimeout
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Grant, any Error>) in
                let deadline = DispatchTime.now() + .nanoseconds(Int(timeout.nanoseconds))
                let (enqueued, startSweep) = state.withLock { state -> (Bool, Bool) in
                    guard !state.closed else { return (false, false) }
                    state.waiters[id] = Waiter(continuation: continuation, deadline: deadline)
                    state.waiterOrder.append(id)
                    defer { state.sweeping = true }
                    return (true, !state.sweeping)
                }
                guard enqueued else {
                    continuation.resume(throwing: PGError(.poolClosed, message: "the connection pool has shut down"))
                    return
                }
                // Whoever removes the waiter under the lock resumes it: the sweep, a cancel or a release.
                if startSweep { scheduleSweep() }
                if Task.isCancelled { removeWaiter(id)?.continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            removeWaiter(id)?.continuation.resume(throwing: CancellationError())
        }
    }

    /// How often waiters past their deadline are looked for: a quarter of the acquire timeout, at
    /// most 100 ms.
    private var sweepInterval: Duration {
        max(min(configuration.acquireTimeout / 4, .milliseconds(100)), .milliseconds(1))
    }

    private func scheduleSweep() {
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(sweepInterval.nanoseconds))) {
            [self] in
            self.sweepExpiredWaiters()
        }
    }

    /// Ends the waits past their deadline with `.poolTimeout`; schedules the next sweep while anyone waits.
    private func sweepExpiredWaiters() {
        let now = DispatchTime.now()
        let (expired, again) = state.withLock { state -> ([Waiter], Bool) in
            let expiredIDs = state.waiterOrder.filter { state.waiters[$0].map { $0.deadline <= now } ?? false }
            let expired = expiredIDs.compactMap { state.waiters.removeValue(forKey: $0) }
            if !expiredIDs.isEmpty {
                let gone = Set(expiredIDs)
                state.waiterOrder.removeAll { gone.contains($0) }
            }
            state.sweeping = !state.waiters.isEmpty
            return (expired, state.sweeping)
        }
        let timeout = configuration.acquireTimeout
        for waiter in expired {
            waiter.continuation.resume(
                throwing: PGError(
                    .poolTimeout,
                    message: "no database connection became free within \(timeout)"
                        + " (pool size \(configuration.maxConnections))"))
        }
        if again { scheduleSweep() }
    }

    private func removeWaiter(_ id: UInt64) -> Waiter? {
        state.withLock { state in
            guard let waiter = state.waiters.removeValue(forKey: id) else { return nil }
            state.waiterOrder.removeAll { $0 == id }
            return waiter
        }
    }

    /// Returns a connection: reused if healthy and idle, otherwise closed and its slot freed.
    private func release(_ connection: PGConnection) async {
        var idle = connection.idleWithoutAsking
        if !idle { idle = await connection.isIdle }
        guard idle else {
            logger.debug("closing a connection returned broken or inside a transaction")
            await discard(connection)
            return
        }
        let waiter: Waiter? = state.withLock { state in
            if !state.closed, let id = state.waiterOrder.first {
                state.waiterOrder.removeFirst()
                return state.waiters.removeValue(forKey: id)
            }
            if !state.closed {
                state.idle.append(Idle(connection: connection, since: .now))
            }
            state.busy -= 1
            return nil
        }
        if let waiter {
            waiter.continuation.resume(returning: .connection(connection))
        } else if state.withLock({ $0.closed }) {
            await connection.close()
        }
    }

    private func discard(_ connection: PGConnection) async {
        await connection.close()
        freeSlot()
    }

    /// Frees a slot; a waiter, if any, takes it over and opens its own connection.
    private func freeSlot() {
        let waiter: Waiter? = state.withLock { state in
            if !state.closed, let id = state.waiterOrder.first {
                state.waiterOrder.removeFirst()
                return state.waiters.removeValue(forKey: id)
            }
            state.busy -= 1
            return nil
        }
        waiter?.continuation.resume(returning: .openSlot)
    }

    // MARK: Service

    /// Keeps idle connections alive until graceful shutdown, then closes the pool.
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    try await Task.sleep(for: self.configuration.keepAliveInterval / 2)
                    await self.pingIdleConnections()
                }
            }
        } catch is CancellationError {
            // Graceful shutdown or cancellation: fall through to closing.
        }
        await close()
    }

    /// Closes every idle connection and refuses new leases; leased ones close when returned.
    public func close() async {
        let (idle, waiters) = state.withLock { state in
            state.closed = true
            let idle = state.idle
            state.idle.removeAll()
            let waiters = state.waiterOrder.compactMap { state.waiters[$0] }
            state.waiters.removeAll()
            state.waiterOrder.removeAll()
            return (idle, waiters)
        }
        let closed = PGError(.poolClosed, message: "the connection pool has shut down")
        for waiter in waiters { waiter.continuation.resume(throwing: closed) }
        statementQueue.close(with: closed)
        for entry in idle { await entry.connection.close() }
    }

    private func pingIdleConnections() async {
        let cutoff = ContinuousClock.now - configuration.keepAliveInterval
        let stale: [PGConnection] = state.withLock { state in
            let stale = state.idle.filter { $0.since < cutoff }.map(\.connection)
            state.idle.removeAll { $0.since < cutoff }
            state.busy += stale.count
            return stale
        }
        for connection in stale {
            do {
                guard await connection.probeAlive() else {
                    throw PGError(.connectionClosed, message: "closed by the server")
                }
                try await connection.simpleQuery("SELECT 1", timeout: .seconds(5))
                await release(connection)
            } catch {
                logger.info("closing an idle database connection that failed its keep-alive ping")
                await discard(connection)
            }
        }
    }
}

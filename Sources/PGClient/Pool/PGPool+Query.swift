/// One statement on whichever connection serves the queue next.
extension PGPool {
    /// Statements `query(_:)` has queued and not yet sent: for metrics and tests.
    public var queuedStatements: Int { statementQueue.count }

    /// Runs one standalone statement and returns its rows, sent in one pipeline with the other
    /// statements queued at that moment.
    ///
    /// For short, hot reads outside any transaction (a page of a list, a lookup). Under load this costs
    /// far less than `withConnection` for a single statement: the caller does not wait for a connection
    /// of its own and hop to its thread; a connection already at work takes the statement with the
    /// others waiting beside it, and one wake-up of it and of its server process serves them all.
    /// Each statement is its own snapshot and fails alone, as it would on a connection of its own.
    ///
    /// Cancelling the task withdraws a statement not yet sent; one already sent runs to its end. There
    /// is no per-statement timeout: run anything that may be slow with `withConnection`.
    ///
    /// - Throws: the statement's `PGError`; `.poolClosed` after `close()`; what a lease would throw
    ///   (`.poolTimeout`, `.connectionFailed`) when no connection could be had for it.
    @discardableResult
    public func query(_ query: PGQuery) async throws -> PGRows {
        try Task.checkCancellation()
        let queue = statementQueue
        let id = queue.newID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PGRows, any Error>) in
                let entry = PGStatementQueue.Entry(
                    id: id, query: query, continuation: continuation,
                    queuedAt: configuration.onStatementWait == nil ? nil : .now)
                switch queue.enqueue(entry, maxRunners: configuration.maxConnections) {
                case .closed:
                    continuation.resume(throwing: PGError(.poolClosed, message: "the connection pool has shut down"))
                    return
                case .queued(let startRunner):
                    if startRunner { Task { await self.serveStatements() } }
                }
                if Task.isCancelled { queue.remove(id)?.continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            queue.remove(id)?.continuation.resume(throwing: CancellationError())
        }
    }

    /// A runner: leases a connection and serves the queue on it until the queue is empty; leases again
    /// when it gave the connection back to a waiting lease, or the connection broke.
    private func serveStatements() async {
        while true {
            do {
                let again = try await withConnection { connection in
                    await connection.serve(statementQueue, pool: self)
                }
                if !again { return }
            } catch {
                statementQueue.runnerFailed(error)
                return
            }
        }
    }
}

import DequeModule
import Synchronization

/// The statements waiting for `PGPool.query`, and how many runners serve them.
///
/// Under load nearly every caller of `withConnection` waits for a connection, and then hops to that
/// connection's thread for a single round trip: a wake-up of the thread, and of its server process, per
/// statement. Here a caller queues its statement instead. A runner — one pooled connection, working on
/// that connection's own thread — takes everything queued at that moment, sends it as one pipeline, and
/// hands each result to its caller as it is read, so one wake-up serves the whole batch.
///
/// Runners are started by callers, one more whenever the queue holds more statements than there are
/// runners, up to the pool's size; a runner stops when it finds the queue empty.
final class PGStatementQueue: Sendable {
    struct Entry: Sendable {
        let id: UInt64
        let query: PGQuery
        let continuation: CheckedContinuation<PGRows, any Error>
        /// When it was queued, if someone measures how long statements wait (`onStatementWait`).
        var queuedAt: ContinuousClock.Instant? = nil

        /// The same caller, with the statement changed (sent unprepared after a retry).
        func with(_ query: PGQuery) -> Entry {
            Entry(id: id, query: query, continuation: continuation, queuedAt: queuedAt)
        }
    }

    /// The most statements one pipeline carries. However large they are, sending them all before
    /// reading cannot deadlock: libpq reads the server's results while its socket is full.
    static let batchLimit = 32
    /// Statements a runner serves before it gives its connection back if a lease waits for one, so a
    /// steady stream of queries cannot starve `withConnection`.
    static let turnLength = 64

    enum Enqueued {
        case queued(startRunner: Bool)
        case closed
    }

    private struct State {
        var entries = Deque<Entry>()
        var runners = 0
        var nextID: UInt64 = 0
        var closed = false
    }

    private let state = Mutex(State())

    /// Statements queued and not yet sent.
    var count: Int { state.withLock { $0.entries.count } }

    func newID() -> UInt64 {
        state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
    }

    /// Queues `entry`; says whether the caller must start a runner for it (counted already).
    func enqueue(_ entry: Entry, maxRunners: Int) -> Enqueued {
        state.withLock { state in
            guard !state.closed else { return .closed }
            state.entries.append(entry)
            guard state.runners < maxRunners, state.runners < state.entries.count else {
                return .queued(startRunner: false)
            }
            state.runners += 1
            return .queued(startRunner: true)
        }
    }

    /// Takes `id` out of the queue if it is still there (not yet sent): for a cancelled caller.
    func remove(_ id: UInt64) -> Entry? {
        state.withLock { state in
            guard let index = state.entries.firstIndex(where: { $0.id == id }) else { return nil }
            return state.entries.remove(at: index)
        }
    }

    /// The statements for a runner's next pipeline, oldest first; nil when the queue is empty, in which
    /// case the runner has stopped (it is no longer counted).
    func nextBatch() -> [Entry]? {
        state.withLock { state in
            guard !state.entries.isEmpty else {
                state.runners -= 1
                return nil
            }
            let batch = Array(state.entries.prefix(Self.batchLimit))
            state.entries.removeFirst(batch.count)
            return batch
        }
    }

    /// A runner that could not get a connection stops; the last one fails every queued statement with
    /// `error` (what a caller of `withConnection` would have got), as no one else would serve them.
    func runnerFailed(_ error: any Error) {
        let orphaned: [Entry] = state.withLock { state in
            state.runners -= 1
            guard state.runners == 0 else { return [] }
            defer { state.entries.removeAll() }
            return Array(state.entries)
        }
        for entry in orphaned { entry.continuation.resume(throwing: error) }
    }

    /// Refuses new statements and fails the queued ones with `error`.
    func close(with error: any Error) {
        let queued: [Entry] = state.withLock { state in
            state.closed = true
            defer { state.entries.removeAll() }
            return Array(state.entries)
        }
        for entry in queued { entry.continuation.resume(throwing: error) }
    }
}

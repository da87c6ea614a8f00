import CLibPQ
import Synchronization

/// Cancels the statement a connection is running, from any thread.
///
/// libpq's `PQcancel` is the one call documented as safe from another thread. Each statement
/// arms the canceller with a fresh generation; a cancel or timeout aimed at an older generation
/// is dropped, so it can never hit the next statement on the same connection.
final class PGCanceller: Sendable {
    private struct State {
        // PGcancel*; owned here, freed in `replace` or `deinit`.
        var handle: OpaquePointer?
        var generation: UInt64 = 0
        var inFlight = false
        var timedOut = false
        var backendPID: Int32 = 0
    }

    private struct Handle: @unchecked Sendable {
        // Safe: only used while the mutex is held.
        var pointer: OpaquePointer?
    }

    private let state = Mutex<State>(State())

    func replace(with connection: OpaquePointer?) {
        let fresh = Handle(pointer: connection.flatMap { PQgetCancel($0) })
        let pid = connection.map { PQbackendPID($0) } ?? 0
        state.withLock { state in
            if let old = state.handle { PQfreeCancel(old) }
            state.handle = fresh.pointer
            state.backendPID = pid
        }
    }

    /// The server process serving the connection (0 when closed); readable while a statement runs.
    var backendPID: Int32 { state.withLock { $0.backendPID } }

    /// Marks a statement as running and returns its generation.
    func arm() -> UInt64 {
        state.withLock { state in
            state.generation &+= 1
            state.inFlight = true
            state.timedOut = false
            return state.generation
        }
    }

    /// Marks the statement as finished; returns whether its timeout fired.
    @discardableResult
    func disarm(_ generation: UInt64) -> Bool {
        state.withLock { state in
            guard state.generation == generation else { return false }
            state.inFlight = false
            return state.timedOut
        }
    }

    /// Asks the server to cancel statement `generation`, if it is still the one running.
    func cancel(_ generation: UInt64, becauseOfTimeout: Bool = false) {
        state.withLock { state in
            guard state.generation == generation, state.inFlight, let handle = state.handle else { return }
            if becauseOfTimeout { state.timedOut = true }
            var buffer = [CChar](repeating: 0, count: 256)
            _ = PQcancel(handle, &buffer, Int32(buffer.count))
        }
    }

    deinit {
        state.withLock { state in
            if let handle = state.handle { PQfreeCancel(handle) }
        }
    }
}

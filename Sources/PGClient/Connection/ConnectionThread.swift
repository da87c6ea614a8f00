import Foundation

/// A serial executor that runs every job on one dedicated OS thread.
///
/// libpq calls block. Each `PGConnection` actor runs on its own `ConnectionThread`, so a
/// blocking `PQgetResult` waits on that thread and never on Swift's cooperative pool or a NIO
/// event loop; everything else hops off the actor as soon as the call returns.
final class ConnectionThread: SerialExecutor, @unchecked Sendable {
    // Safe to share: `jobs` and `stopping` are only read or written while `condition` is locked,
    // and the thread object is only touched in `init`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopping = false

    init(name: String) {
        let thread = Thread { [self] in self.runLoop() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Lets the thread finish the jobs already queued, then exit.
    func shutdown() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func runLoop() {
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty && stopping {
                condition.unlock()
                return
            }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedSerialExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}

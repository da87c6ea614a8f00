import Foundation

/// Threads of their own for CPU-bound work in parts (`concurrentMap`: judging returns, decoding rows,
/// encoding evidence), apart from Swift's cooperative pool.
///
/// The pool has a thread per processor. The nightly run reads and writes on its connection while its
/// previous group is judged; each time a statement returns, the run resumes only when a pool thread is
/// free, and with the pool busy judging it waited for the whole map — 80–100 ms a group, the connection
/// idle (measured: a statement's end in PostgreSQL's log against the run's resumption). Judged here
/// instead, the parts share the cores with the run by the operating system's scheduling, which lets a
/// woken thread in at once, and the pool stays free for tasks that only wait.
final class ComputeThreads: TaskExecutor, @unchecked Sendable {
    /// One thread per processor, started when first used and kept for the life of the process.
    static let shared = ComputeThreads(count: ProcessInfo.processInfo.activeProcessorCount)

    // Safe to share: `jobs` is only read or written while `condition` is locked.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    private init(count: Int) {
        // Held while the threads are started: each names itself only once every `start()` has returned.
        condition.lock()
        defer { condition.unlock() }
        for index in 0..<max(count, 1) {
            let thread = Thread { [self] in
                // Named from the thread itself: on Linux only that names the system thread (what `top` and
                // `perf` show, at most 15 characters); a new thread otherwise inherits the name of the pool
                // thread that created it. And only after its creator's `start()` has returned: named while
                // `start()` was still running, about one thread in three kept the inherited name (a
                // standalone copy of this type: 41 runs of 60 had one misnamed; waiting, 80 of 80 right).
                condition.lock()
                condition.unlock()
                Thread.current.name = "charter-cpu-\(index)"
                runLoop()
            }
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func runLoop() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

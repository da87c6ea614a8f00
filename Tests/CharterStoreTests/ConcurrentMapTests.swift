import Dispatch
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import CharterUseCases

/// `concurrentMap` is `map` on several cores: the same results, in the same order, and the first error.
@Suite("Mapping on every core", .timeLimit(.minutes(10)))
struct ConcurrentMapTests {
    struct Odd: Error, Equatable {
        var value: Int
    }

    @Test(arguments: [0, 1, 63, 64, 129, 1000, 4099])
    func givesWhatMapGivesInOrder(count: Int) async throws {
        let values = Array(0..<count)
        #expect(try await values.concurrentMap { $0 * 3 + 1 } == values.map { $0 * 3 + 1 })
        #expect(try await values.concurrentMap(minimumPart: 1) { "\($0)" } == values.map { "\($0)" })
        #expect(try await values[...].concurrentMap(minimumPart: 7) { $0 } == values)
    }

    @Test func throwsWhatATransformThrows() async throws {
        await #expect(throws: Odd(value: 777)) {
            _ = try await Array(0..<1000).concurrentMap(minimumPart: 10) { value in
                if value == 777 { throw Odd(value: value) }
                return value
            }
        }
    }

    final class Entered: Sendable {
        let count = Atomic(0)
    }

    /// The parts run on threads of their own (`ComputeThreads`), not the cooperative pool: a task that only
    /// waits (as the nightly run waits on its connection) still runs while a map's parts are blocked. Here
    /// every part blocks until such a task, woken once a part has started, lets them go; on the pool, with
    /// every thread inside a part, it never could, and the parts give up after ten seconds. (It waits for one
    /// part, not for one on every core: other tests' maps may hold the compute threads meanwhile.)
    @Test func aWaitingTaskRunsWhileAMapHoldsEveryCore() async throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let entered = Entered()
        let gate = DispatchSemaphore(value: 0)
        let values = Array(0..<(cores * 4))
        let releaser = Task {
            try await eventually("a part has started", within: .seconds(30)) {
                entered.count.load(ordering: .acquiring) >= 1
            }
            for _ in values { gate.signal() }
        }
        let released = try await values.concurrentMap(minimumPart: 1) { _ in
            entered.count.add(1, ordering: .releasing)
            return gate.wait(timeout: .now() + 10) == .success
        }
        try await releaser.value
        #expect(released.allSatisfy { $0 }, "\(released.filter { !$0 }.count) parts were never let go")
    }
}

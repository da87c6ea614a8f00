import Foundation
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

    /// The parts run on `ComputeThreads`, not Swift's cooperative pool, which stays free for the tasks that
    /// wait on a connection (the nightly run resumes the moment a statement returns, while a map is under way).
    /// (It also holds that the threads carry their names, as `top` and `perf` show them.)
    @Test func thePartsRunOnTheComputeThreadsNotTheCooperativePool() async throws {
        let threads = try await Array(0..<1000).concurrentMap(minimumPart: 10) { _ in Thread.current.name ?? "" }
        #expect(!threads.isEmpty)
        #expect(threads.allSatisfy { $0.hasPrefix("charter-cpu-") }, "parts ran on \(Set(threads).sorted())")
    }

    @Test func throwsWhatATransformThrows() async throws {
        await #expect(throws: Odd(value: 777)) {
            _ = try await Array(0..<1000).concurrentMap(minimumPart: 10) { value in
                if value == 777 { throw Odd(value: value) }
                return value
            }
        }
    }
}

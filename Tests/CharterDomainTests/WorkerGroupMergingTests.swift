import CharterDomain
import Foundation
import Testing

@Suite("Merging parts of a worker group")
struct WorkerGroupMergingTests {
    @Test func countsAddLowestAndLargestAreKeptAndRefsStayInByteOrder() {
        let a = WorkerGroup(count: 3, workerRefs: ["A1", "B2", "a9"], lowestRate: 12.10, largestShortfall: 0.50)
        let b = WorkerGroup(count: 2, workerRefs: ["A2", "Z1"], lowestRate: 11.90, largestShortfall: 0.20)
        let merged = a.merged(with: b)
        #expect(merged.count == 5)
        // Byte order, as SQL's COLLATE "C": capitals before lower case.
        #expect(merged.workerRefs == ["A1", "A2", "B2", "Z1", "a9"])
        #expect(merged.lowestRate == 11.90)
        #expect(merged.largestShortfall == 0.50)
        #expect(a.merged(with: .none) == a)
        #expect(WorkerGroup.none.merged(with: b) == b)
    }

    @Test func onlyTheFirstHundredRefsAreKeptButEveryWorkerCounts() {
        let evens = (0..<150).map { String(format: "W%04d", $0 * 2) }
        let odds = (0..<150).map { String(format: "W%04d", $0 * 2 + 1) }
        let merged = WorkerGroup(count: 150, workerRefs: Array(evens.prefix(100))).merged(
            with: WorkerGroup(count: 150, workerRefs: Array(odds.prefix(100))))
        #expect(merged.count == 300)
        #expect(merged.workerRefs == (0..<100).map { String(format: "W%04d", $0) })
        #expect(merged.lowestRate == nil && merged.largestShortfall == nil)
    }
}

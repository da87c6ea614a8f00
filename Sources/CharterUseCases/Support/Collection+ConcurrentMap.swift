import Foundation

extension RandomAccessCollection where Self: Sendable, Index == Int {
    /// `map`, with the elements split into contiguous parts, each mapped in a child task; the results keep
    /// the collection's order.
    ///
    /// For pure, CPU-bound work over many elements (decoding rows, judging returns, encoding evidence):
    /// while the nightly run works in Swift, PostgreSQL waits for it, so a second core would otherwise
    /// sit idle. Below `minimumPart` elements per part it maps in place, where a task costs more than
    /// it saves.
    ///
    /// The parts run on `ComputeThreads`, not the cooperative pool, so tasks that wait on a connection
    /// resume while a map is under way; several parts per processor, so one slow part (its core shared
    /// with PostgreSQL) does not hold up the whole map.
    func concurrentMap<T: Sendable>(
        minimumPart: Int = 64, _ transform: @escaping @Sendable (Element) throws -> T
    ) async throws -> [T] {
        let parts = Swift.min(ProcessInfo.processInfo.activeProcessorCount * 4, count / Swift.max(minimumPart, 1))
        guard parts > 1 else { return try map(transform) }
        return try await withThrowingTaskGroup(of: (Int, [T]).self) { group in
            let size = (count + parts - 1) / parts
            for part in 0..<parts {
                let lower = startIndex + part * size
                let upper = Swift.min(lower + size, endIndex)
                guard lower < upper else { continue }
                group.addTask(executorPreference: ComputeThreads.shared) {
                    (part, try self[lower..<upper].map(transform))
                }
            }
            var results = [[T]](repeating: [], count: parts)
            for try await (part, mapped) in group {
                results[part] = mapped
            }
            return results.flatMap { $0 }
        }
    }
}

import Foundation

extension WorkerGroup {
    /// The group made of this one's workers and `other`'s, when no worker is in both: counts add up,
    /// the lowest rate is the lower one, the largest shortfall the larger one, and the references are
    /// the first `maximumRefs` of both lists in ascending byte order.
    ///
    /// The store sums a return's lines up in parts (one per combination of groups a line falls in)
    /// and merges the parts, which gives exactly what one pass over all the lines would.
    public func merged(with other: WorkerGroup) -> WorkerGroup {
        func lower(_ a: Decimal?, _ b: Decimal?) -> Decimal? {
            guard let a, let b else { return a ?? b }
            return min(a, b)
        }
        func higher(_ a: Decimal?, _ b: Decimal?) -> Decimal? {
            guard let a, let b else { return a ?? b }
            return max(a, b)
        }
        var refs: [String] = []
        refs.reserveCapacity(min(workerRefs.count + other.workerRefs.count, Self.maximumRefs))
        var left = workerRefs[...]
        var right = other.workerRefs[...]
        while refs.count < Self.maximumRefs, let next = Self.takeFirst(&left, &right) {
            refs.append(next)
        }
        return WorkerGroup(
            count: count + other.count, workerRefs: refs, lowestRate: lower(lowestRate, other.lowestRate),
            largestShortfall: higher(largestShortfall, other.largestShortfall))
    }

    /// Takes the byte-wise smaller head of two byte-sorted lists.
    private static func takeFirst(_ left: inout ArraySlice<String>, _ right: inout ArraySlice<String>) -> String? {
        switch (left.first, right.first) {
        case (nil, nil): return nil
        case (let l?, nil):
            left.removeFirst()
            return l
        case (nil, let r?):
            right.removeFirst()
            return r
        case (let l?, let r?):
            if r.utf8.lexicographicallyPrecedes(l.utf8) {
                right.removeFirst()
                return r
            }
            left.removeFirst()
            return l
        }
    }
}

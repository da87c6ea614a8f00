/// Comparison of secrets whose duration does not depend on where they differ.
enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes, looking at every byte whatever the first difference.
    ///
    /// Lengths are compared first: every secret compared here has a fixed, public length (a SHA-256
    /// hash, a derived key, a token of known format), so the length reveals nothing.
    static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}

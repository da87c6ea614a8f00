public import Foundation

/// When a message that failed for a transient reason is tried again: exponential backoff with
/// jitter, and a limit after which it is `dead`.
public struct OutboxRetryPolicy: Sendable, Hashable {
    /// Pause after the first failed attempt. Default 60 seconds.
    public var base: TimeInterval = 60
    /// Each further failure multiplies the pause by this. Default 2.
    public var factor: Double = 2
    /// The longest pause. Default 6 hours.
    public var cap: TimeInterval = 6 * 3600
    /// Attempts in all (the first one included) before the message is dead. Default 10 (about 9 hours
    /// of retrying with the defaults, long enough for a relay's maintenance window).
    public var maxAttempts = 10
    /// Fraction of the pause taken off at random, so messages that failed together (a relay that was
    /// down) do not all come back at the same instant. Default 0.2; 0 makes pauses exact.
    public var jitter: Double = 0.2

    public init() {}

    /// The pause after failed attempt number `attempt` (1-based), with `random` in 0..<1 as the jitter's
    /// draw.
    public func delay(afterAttempt attempt: Int, random: Double = Double.random(in: 0..<1)) -> TimeInterval {
        let exponent = Double(max(attempt, 1) - 1)
        let pause = min(cap, base * pow(factor, exponent))
        return pause * (1 - jitter * min(max(random, 0), 1))
    }
}

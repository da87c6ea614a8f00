public import Foundation

/// Slows password guessing at web sign-in (SPEC §8), decided from the recent attempts the caller reads.
///
/// Two limits, both over a sliding window (15 minutes unless set):
/// - **per email**: after `maxFailuresPerEmail` (5) failures for one email, that email is locked until
///   enough of them are older than the window. A success for the email resets its count: failures
///   before it no longer count.
/// - **per remote address**: after `maxFailuresPerAddress` (20) failures from one address, across any
///   emails, the address is locked the same way. Here a success resets only the failures of *the email
///   that succeeded* — someone who mistypes their own password then gets it right is forgiven, but an
///   attacker cannot wipe out failed guesses at other people's accounts by signing in to their own.
///
/// A failure at `t` counts while `now - t < window`, so it stops counting at exactly `t + window`.
/// Attempts refused by the throttle were never checked and should not be recorded as failures.
public struct SignInThrottle: Sendable, Hashable {
    /// Failures for one email within the window that lock it. Default 5.
    public let maxFailuresPerEmail: Int
    /// Failures from one remote address within the window that lock it. Default 20.
    public let maxFailuresPerAddress: Int
    /// How long a failure counts, in seconds; also how far back the caller must read attempts.
    /// Default 15 minutes.
    public let window: TimeInterval

    public init(maxFailuresPerEmail: Int = 5, maxFailuresPerAddress: Int = 20, window: TimeInterval = 15 * 60) {
        precondition(maxFailuresPerEmail > 0 && maxFailuresPerAddress > 0 && window > 0, "limits must be positive")
        self.maxFailuresPerEmail = maxFailuresPerEmail
        self.maxFailuresPerAddress = maxFailuresPerAddress
        self.window = window
    }

    /// Whether a new attempt may be checked at `now`, and if not, when the next may.
    ///
    /// - Parameters:
    ///   - emailAttempts: the recent attempts for the email being signed in to, from any address.
    ///   - addressAttempts: the recent attempts from the request's remote address, for any email (empty
    ///     when the address is unknown).
    ///   - now: the current time.
    public func decide(emailAttempts: [SignInAttempt], addressAttempts: [SignInAttempt], now: Date)
        -> SignInDecision
    {
        let emailLockedUntil = lockedUntil(
            failures: failuresSinceSuccess(emailAttempts, sameEmail: false), limit: maxFailuresPerEmail, now: now)
        let addressLockedUntil = lockedUntil(
            failures: failuresSinceSuccess(addressAttempts, sameEmail: true), limit: maxFailuresPerAddress, now: now)
        guard let until = [emailLockedUntil, addressLockedUntil].compactMap({ $0 }).max() else { return .allowed }
        return .throttled(until: until)
    }

    /// The times of failures not forgiven by a later success, oldest first.
    ///
    /// With `sameEmail`, a success forgives only earlier failures of its own email; otherwise every
    /// earlier failure (the list is all one email's).
    private func failuresSinceSuccess(_ attempts: [SignInAttempt], sameEmail: Bool) -> [Date] {
        var lastSuccess: [String: Date] = [:]
        var lastAnySuccess: Date?
        for attempt in attempts where attempt.succeeded {
            let key = attempt.email.lowercased()
            lastSuccess[key] = max(lastSuccess[key] ?? attempt.at, attempt.at)
            lastAnySuccess = max(lastAnySuccess ?? attempt.at, attempt.at)
        }
        return attempts.filter { attempt in
            guard !attempt.succeeded else { return false }
            let forgivenUntil = sameEmail ? lastSuccess[attempt.email.lowercased()] : lastAnySuccess
            guard let forgivenUntil else { return true }
            return attempt.at > forgivenUntil
        }
        .map(\.at).sorted()
    }

    /// When the failures still in the window drop below `limit`, or nil if they already are.
    private func lockedUntil(failures: [Date], limit: Int, now: Date) -> Date? {
        let recent = failures.filter { now.timeIntervalSince($0) < window }
        guard recent.count >= limit else { return nil }
        // Once the oldest `recent.count - limit + 1` have left the window, fewer than `limit` remain.
        return recent[recent.count - limit] + window
    }
}

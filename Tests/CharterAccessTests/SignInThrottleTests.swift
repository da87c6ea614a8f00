import CharterAccess
import Foundation
import Testing

@Suite("Sign-in throttling")
struct SignInThrottleTests {
    let throttle = SignInThrottle()
    let now = Date(timeIntervalSince1970: 1_750_000_000)

    func failure(_ email: String = "hr@example.org", secondsAgo: TimeInterval) -> SignInAttempt {
        SignInAttempt(email: email, at: now - secondsAgo, succeeded: false)
    }

    func success(_ email: String = "hr@example.org", secondsAgo: TimeInterval) -> SignInAttempt {
        SignInAttempt(email: email, at: now - secondsAgo, succeeded: true)
    }

    func forEmail(_ attempts: [SignInAttempt], at time: Date? = nil) -> SignInDecision {
        throttle.decide(emailAttempts: attempts, addressAttempts: [], now: time ?? now)
    }

    func fromAddress(_ attempts: [SignInAttempt]) -> SignInDecision {
        throttle.decide(emailAttempts: [], addressAttempts: attempts, now: now)
    }

    @Test func theDefaultsAreFiveAndTwentyInFifteenMinutes() {
        #expect(throttle.maxFailuresPerEmail == 5)
        #expect(throttle.maxFailuresPerAddress == 20)
        #expect(throttle.window == 900)
        #expect(forEmail([]) == .allowed)
    }

    @Test func fourFailuresForAnEmailAreAllowedAndTheFifthLocksIt() {
        let four = [600.0, 400, 300, 200].map { failure(secondsAgo: $0) }
        #expect(forEmail(four) == .allowed)
        let five = four + [failure(secondsAgo: 100)]
        #expect(forEmail(five) == .throttled(until: now - 600 + 900))
        #expect(!forEmail(five).isAllowed)
    }

    @Test func theLockEndsWhenTheOldestFailureLeavesTheWindow() {
        let five = [600.0, 400, 300, 200, 100].map { failure(secondsAgo: $0) }
        let oldest = now - 600
        #expect(forEmail(five, at: oldest + 899) == .throttled(until: oldest + 900))
        #expect(forEmail(five, at: oldest + 899.999) == .throttled(until: oldest + 900))
        #expect(forEmail(five, at: oldest + 900) == .allowed)
        #expect(forEmail(five, at: oldest + 901) == .allowed)
    }

    @Test func failuresOlderThanTheWindowDoNotCount() {
        let attempts =
            [900.0, 901, 5_000].map { failure(secondsAgo: $0) } + [1.0, 2, 3, 4].map { failure(secondsAgo: $0) }
        #expect(forEmail(attempts) == .allowed)
        #expect(forEmail(attempts + [failure(secondsAgo: 899)]) == .throttled(until: now - 899 + 900))
    }

    @Test func moreFailuresThanTheLimitLockUntilEnoughHaveExpired() {
        // Seven failures: the three oldest must leave the window before fewer than five remain.
        let seven = [700.0, 600, 500, 400, 300, 200, 100].map { failure(secondsAgo: $0) }
        #expect(forEmail(seven) == .throttled(until: now - 500 + 900))
        #expect(forEmail(seven.reversed()) == .throttled(until: now - 500 + 900))
    }

    @Test func aSuccessForgivesTheEmailsEarlierFailures() {
        let before = [500.0, 400, 300, 200].map { failure(secondsAgo: $0) }
        let after = [50.0, 40, 30, 20].map { failure(secondsAgo: $0) }
        #expect(forEmail(before + [success(secondsAgo: 100)] + after) == .allowed)
        #expect(forEmail(before + [success(secondsAgo: 100)] + after + [failure(secondsAgo: 10)]) != .allowed)
        #expect(
            forEmail(before + [success(secondsAgo: 600)] + [failure(secondsAgo: 100)])
                == .throttled(until: now - 500 + 900))
    }

    @Test func nineteenFailuresFromAnAddressAreAllowedAndTheTwentiethLocksIt() {
        let nineteen = (1...19).map { failure("person\($0)@example.org", secondsAgo: TimeInterval($0 * 10)) }
        #expect(fromAddress(nineteen) == .allowed)
        let twenty = nineteen + [failure("person20@example.org", secondsAgo: 200)]
        #expect(fromAddress(twenty) == .throttled(until: now - 200 + 900))
    }

    @Test func anAddressIsForgivenOnlyTheFailuresOfTheEmailThatSucceeded() {
        let mistyped = (1...3).map { failure("Alice@Example.org", secondsAgo: 500 + TimeInterval($0)) }
        let guesses = (1...17).map { failure("victim\($0)@example.org", secondsAgo: TimeInterval(400 + $0)) }
        // Alice mistyped three times, then got in: her failures stop counting, leaving 17.
        #expect(fromAddress(mistyped + guesses + [success("alice@example.org", secondsAgo: 100)]) == .allowed)
        // Without her success all 20 count.
        #expect(!fromAddress(mistyped + guesses).isAllowed)
        // An attacker signing in to their own account does not wipe out guesses at others'.
        let sprayed = (1...20).map { failure("victim\($0)@example.org", secondsAgo: TimeInterval(300 + $0)) }
        #expect(!fromAddress(sprayed + [success("attacker@example.org", secondsAgo: 10)]).isAllowed)
    }

    @Test func theLaterOfTwoLocksWins() {
        let emailFailures = [800.0, 700, 600, 500, 400].map { failure(secondsAgo: $0) }
        let addressFailures = (1...20).map { failure("p\($0)@example.org", secondsAgo: TimeInterval(100 + $0)) }
        let decision = throttle.decide(emailAttempts: emailFailures, addressAttempts: addressFailures, now: now)
        #expect(decision == .throttled(until: now - 120 + 900))
    }

    @Test func limitsAndWindowCanBeSet() {
        let strict = SignInThrottle(maxFailuresPerEmail: 2, maxFailuresPerAddress: 3, window: 60)
        let two = [30.0, 20].map { failure(secondsAgo: $0) }
        #expect(strict.decide(emailAttempts: two, addressAttempts: [], now: now) == .throttled(until: now + 30))
        #expect(strict.decide(emailAttempts: two, addressAttempts: [], now: now + 30) == .allowed)
    }
}

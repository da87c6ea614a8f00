/// Waiting out a database that is gone for a moment — a failover to a standby, a restart — for work
/// that has already happened elsewhere and only has to be recorded (an email sent, a job finished):
/// giving up would have it done again by whoever takes the lease over.
public enum PGPatience {
    /// `body`'s result, trying again with pauses that double from a quarter of a second to five seconds
    /// while it throws, for up to `patience` in real time. `report` hears each failure, with `givingUp`
    /// true for the last. Nil when it never succeeded, or the task was cancelled.
    public static func retrying<Value: Sendable>(
        for patience: Duration, report: (_ error: any Error, _ givingUp: Bool) -> Void,
        _ body: () async throws -> Value
    ) async -> Value? {
        let deadline = ContinuousClock.now.advanced(by: patience)
        var pause = Duration.milliseconds(250)
        while true {
            do {
                return try await body()
            } catch {
                guard !Task.isCancelled else { return nil }
                guard ContinuousClock.now.advanced(by: pause) < deadline else {
                    report(error, true)
                    return nil
                }
                report(error, false)
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(5))
            }
        }
    }
}

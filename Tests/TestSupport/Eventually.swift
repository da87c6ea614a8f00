import Testing

/// Waits for `condition` (checked every 100 ms, at most `limit`), recording an issue naming `what` and
/// throwing when it never holds: for what another process does in its own time.
public func eventually(
    _ what: String, within limit: Duration, _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    Issue.record("timed out waiting until \(what)")
    throw CancellationError()
}

extension PGConnection {
    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws.
    ///
    /// A serialization failure (40001) or deadlock (40P01), from the body or from COMMIT, rolls
    /// back and runs the whole body again, up to `maxAttempts` times with a growing random pause.
    /// The body must therefore be safe to repeat: no side effects outside the database.
    @discardableResult
    public func withTransaction<Result>(
        isolation level: PGIsolationLevel = .readCommitted,
        maxAttempts: Int = 5,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PGConnection) async throws -> Result
    ) async throws -> Result {
        var attempt = 1
        while true {
            try await simpleQuery("BEGIN ISOLATION LEVEL \(level.rawValue)")
            do {
                let result = try await body(self)
                try await simpleQuery("COMMIT")
                return result
            } catch {
                await rollbackIfOpen()
                guard let pgError = error as? PGError, pgError.isTransactionRetryable, attempt < maxAttempts else {
                    throw error
                }
                attempt += 1
                // Randomised backoff so two retrying transactions do not collide again in lockstep.
                let pause = Int.random(in: 5...20) * (1 << min(attempt, 6))
                try await Task.sleep(for: .milliseconds(pause))
            }
        }
    }

}

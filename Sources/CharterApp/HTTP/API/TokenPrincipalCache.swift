import CharterAccess
import Synchronization

/// API tokens authenticated in the last moment, so a client polling the API does not cost a token
/// lookup (and the decoding of a rep's coverage) on every request.
///
/// Only tokens that checked out are kept, by the SHA-256 of their text (the text itself is not
/// held), for `lifetime` — one second by default. A token revoked, or a rep's coverage changed,
/// through this charterd's API takes effect at once (`removeAll()`); through `charterctl` or another
/// instance, within `lifetime`. An unknown or refused token is never cached: every attempt with it
/// is looked up.
final class TokenPrincipalCache: Sendable {
    static let defaultLifetime: Duration = .seconds(1)
    /// More distinct live tokens than this within one lifetime start the cache afresh.
    static let capacity = 10_000

    private struct Entry {
        var principal: Principal
        var until: ContinuousClock.Instant
    }

    let lifetime: Duration
    private let entries = Mutex<[[UInt8]: Entry]>([:])

    init(lifetime: Duration = defaultLifetime) {
        self.lifetime = lifetime
    }

    /// The principal `token` stands for: from the cache while fresh, otherwise from `lookUp`.
    func principal(
        for token: String, lookUp: (String) async throws -> Principal?
    ) async throws -> Principal? {
        let key = APIToken.hash(token)
        let now = ContinuousClock.now
        if let cached = entries.withLock({ $0[key] }), cached.until > now { return cached.principal }
        guard let principal = try await lookUp(token) else {
            entries.withLock { _ = $0.removeValue(forKey: key) }
            return nil
        }
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(principal: principal, until: now + lifetime)
        }
        return principal
    }

    /// Forgets every token: after a revocation or a coverage change, the next request looks up again.
    func removeAll() {
        entries.withLock { $0.removeAll() }
    }
}

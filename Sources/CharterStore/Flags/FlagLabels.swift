import PGClient
import Synchronization

/// Employer names and standard titles for flag lists, each kept for `maxAge` after it was read.
///
/// A page of fifty flags would otherwise join every flag to its employer and its standard: two index
/// probes a row, a third of what PostgreSQL spends on the rep queue. Names and titles change rarely
/// (a standard's title never, once its charter version has pledges), so a list reads the flags alone
/// and takes the labels from here, reading only those it does not have or that are older than
/// `maxAge` — in one round trip on the list's own connection. A renamed employer shows under its new
/// name within `maxAge`, as a rep's changed coverage does in `TokenPrincipalCache`.
public final class FlagLabels: Sendable {
    public let maxAge: Duration
    private let clock = ContinuousClock()
    private let state = Mutex(Stored())

    private struct Entry<Value: Sendable>: Sendable {
        var value: Value
        var readAt: ContinuousClock.Instant
    }

    private struct Stored: Sendable {
        var names: [Int64: Entry<String>] = [:]
        /// By charter version: each standard's title.
        var titles: [Int64: Entry<[String: String]>] = [:]
    }

    /// Labels for one page: what a list needs to turn its rows into summaries.
    struct Resolved {
        var names: [Int64: String]
        var titles: [Int64: [String: String]]

        func title(version: Int64?, standard: String) -> String? {
            version.flatMap { titles[$0]?[standard] }
        }
    }

    public init(maxAge: Duration = .seconds(1)) {
        self.maxAge = maxAge
    }

    /// The names of `employerIDs` and the titles of the standards of `versionIDs`, reading on
    /// `pool` whatever is missing or stale. An employer deleted meanwhile has no name.
    func resolve(employerIDs: Set<Int64>, versionIDs: Set<Int64>, from pool: PGPool) async throws
        -> Resolved
    {
        let now = clock.now
        let oldest = now - maxAge
        var resolved = Resolved(names: [:], titles: [:])
        var missingEmployers: [Int64] = []
        var missingVersions: [Int64] = []
        state.withLock { stored in
            for id in employerIDs {
                if let entry = stored.names[id], entry.readAt >= oldest {
                    resolved.names[id] = entry.value
                } else {
                    missingEmployers.append(id)
                }
            }
            for id in versionIDs {
                if let entry = stored.titles[id], entry.readAt >= oldest {
                    resolved.titles[id] = entry.value
                } else {
                    missingVersions.append(id)
                }
            }
        }
        guard !missingEmployers.isEmpty || !missingVersions.isEmpty else { return resolved }
        // One statement for both, so a miss costs one round trip.
        let query: PGQuery = """
            SELECT 'e' AS kind, id AS key, NULL::text AS standard_id, name AS label
            FROM employers WHERE id = ANY(\(missingEmployers.sorted())::bigint[])
            UNION ALL
            SELECT 's', charter_version_id, standard_id, title
            FROM standards WHERE charter_version_id = ANY(\(missingVersions.sorted())::bigint[])
            """
        let rows = try await pool.query(query.prepared())
        var names: [Int64: String] = [:]
        var titles: [Int64: [String: String]] = Dictionary(uniqueKeysWithValues: missingVersions.map { ($0, [:]) })
        for row in rows {
            let key = try row.decode(Int64.self, at: 1)
            let label = try row.decode(String.self, at: 3)
            if try row.decode(String.self, at: 0) == "e" {
                names[key] = label
            } else {
                titles[key, default: [:]][try row.decode(String.self, at: 2)] = label
            }
        }
        resolved.names.merge(names) { _, new in new }
        resolved.titles.merge(titles) { _, new in new }
        state.withLock { stored in
            for (id, name) in names { stored.names[id] = Entry(value: name, readAt: now) }
            for (id, titles) in titles { stored.titles[id] = Entry(value: titles, readAt: now) }
        }
        return resolved
    }
}

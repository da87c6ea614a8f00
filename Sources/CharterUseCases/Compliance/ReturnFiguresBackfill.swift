import CharterDomain
import CharterStore
import Foundation
public import PGClient

/// Keeps what `ReturnStore` keeps with a version as it is stored, for latest return versions that have
/// none: their figures for the criteria they are judged by, worked out from their lines in SQL, and their
/// packed header (`ReturnHeader.packed`). For returns that reached the database without passing through
/// `ReturnStore` (a bulk load; `charter-bench compliance`, which generates its returns in SQL), and for
/// those stored before figures and packed headers were kept. A return judged later without them is still
/// judged right — from its lines and its JSON header, at the cost of reading them.
public struct ReturnFiguresBackfill: Sendable {
    public let pool: PGPool
    public var batchSize = 10_000

    public init(pool: PGPool) {
        self.pool = pool
    }

    /// Returns how many versions gained kept figures.
    public func run() async throws -> Int {
        let rates = try await RateStore(pool: pool).table()
        return try await pool.withConnection { connection in
            let order = try await connection.query(
                """
                SELECT r.id
                FROM returns r
                JOIN LATERAL (SELECT id, lines_purged_at FROM return_versions rv WHERE rv.return_id = r.id
                              ORDER BY rv.version_no DESC LIMIT 1) v ON true
                JOIN pledges p ON p.employer_id = r.employer_id
                              AND daterange(p.valid_from, p.valid_to, '[)') @> period_snapshot(r.period)
                WHERE v.lines_purged_at IS NULL
                ORDER BY r.period, p.charter_version_id, p.overrides::text, r.id
                """
            ).map { try $0.decode(Int64.self, column: "id") }
            var versions: [Int64: CharterVersion] = [:]
            var kept = 0
            var start = 0
            while start < order.count {
                let chunk = Array(order[start..<min(start + batchSize, order.count)])
                start += chunk.count
                let loaded = try await PendingReturn.load(ids: chunk, on: connection)
                try await connection.execute(
                    """
                    UPDATE return_versions v SET header_packed = k.packed
                    FROM unnest(\(loaded.map(\.versionID))::bigint[], \(loaded.map { PGBytes($0.header.packed) })::bytea[])
                         AS k (id, packed)
                    WHERE v.id = k.id AND v.header_packed IS NULL
                    """)
                for group in PendingReturn.groupedByCriteria(loaded) {
                    let first = group[0]
                    if versions[first.charterVersionID] == nil {
                        versions[first.charterVersionID] = try await CharterVersionStore.version(
                            id: first.charterVersionID, on: connection)
                    }
                    guard let version = versions[first.charterVersionID],
                        let criteria = try? ReturnFigures.Criteria(
                            period: first.period, version: version, overrides: first.overrides, rates: rates)
                    else { continue }
                    let ids = group.map(\.versionID)
                    // Which have figures is all it asks: they are left packed.
                    let have = try await ReturnFiguresStore.packedFigures(for: ids, criteria: criteria, on: connection)
                    let missing = ids.filter { have[$0] == nil }
                    guard !missing.isEmpty else { continue }
                    let computed = try await ReturnFiguresQuery.figures(
                        for: missing, criteria: criteria, on: connection)
                    // A version with no lines is in no group of the pass: its figures are all zero.
                    let figures = Dictionary(
                        uniqueKeysWithValues: missing.map { ($0, computed[$0] ?? ReturnFigures()) })
                    try await ReturnFiguresStore.keep(figures, criteria: criteria, on: connection)
                    kept += missing.count
                }
            }
            return kept
        }
    }
}

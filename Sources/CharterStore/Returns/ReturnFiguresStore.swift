public import CharterDomain
import Foundation
public import PGClient

/// The figures kept per return version (`return_figures`), filed under the criteria they were
/// measured with (`ReturnFigures.Criteria.key`): worked out once, as a return is stored, and read back
/// by the nightly run and the rule preview instead of the worker lines.
public enum ReturnFiguresStore {
    /// Keeps the figures of version `versionID` measured with `criteria`, in the caller's transaction;
    /// figures kept already under the same criteria stay (a version's lines never change).
    public static func keep(
        _ figures: ReturnFigures, versionID: Int64, criteria: ReturnFigures.Criteria, on connection: PGConnection
    ) async throws {
        try await keep([versionID: figures], criteria: criteria, on: connection)
    }

    /// The same for many versions at once, in one statement.
    public static func keep(
        _ figures: [Int64: ReturnFigures], criteria: ReturnFigures.Criteria, on connection: PGConnection
    ) async throws {
        guard !figures.isEmpty else { return }
        let entries = figures.sorted { $0.key < $1.key }
        try await connection.execute(
            """
            INSERT INTO return_figures (return_version_id, criteria, figures)
            SELECT v, \(criteria.key), f FROM unnest(\(entries.map(\.key))::bigint[],
                                                  \(entries.map { PGBytes($0.value.packed) })::bytea[]) AS k (v, f)
            ON CONFLICT (return_version_id, criteria) DO NOTHING
            """)
    }

    /// The kept figures of those of `versionIDs` measured with `criteria`, by version id.
    public static func figures(
        for versionIDs: [Int64], criteria: ReturnFigures.Criteria, on connection: PGConnection
    ) async throws -> [Int64: ReturnFigures] {
        // Unreadable (another format): left out, so they are worked out from the lines again.
        try await packedFigures(for: versionIDs, criteria: criteria, on: connection).compactMapValues {
            try? ReturnFigures(packed: $0)
        }
    }

    /// As `figures(for:criteria:on:)`, still packed (`ReturnFigures.packed`), so a caller can unpack them on
    /// other cores while its connection goes on; only those in the format this version reads.
    public static func packedFigures(
        for versionIDs: [Int64], criteria: ReturnFigures.Criteria, on connection: PGConnection
    ) async throws -> [Int64: [UInt8]] {
        guard !versionIDs.isEmpty else { return [:] }
        // In binary: the packed figures come as they are, not as hex to be read back.
        let query: PGQuery = """
            SELECT return_version_id, figures FROM return_figures
            WHERE return_version_id = ANY(\(versionIDs)) AND criteria = \(criteria.key)
            """
        let rows = try await connection.query(query.binaryResults())
        var kept: [Int64: [UInt8]] = [:]
        kept.reserveCapacity(rows.count)
        for row in rows {
            let packed = try row.decode(PGBytes.self, column: "figures").bytes
            guard ReturnFigures.readsPacking(packed) else { continue }
            kept[try row.decode(Int64.self, column: "return_version_id")] = packed
        }
        return kept
    }

    /// The criteria a return of `employerID` for `period` is judged by: the charter version and
    /// overrides of the pledge in force at the period's snapshot, and the rates in force then; nil when
    /// no pledge is in force (the nightly run does not judge such a return) or a rate is missing.
    public static func criteria(
        employerID: Int64, period: ReportingPeriod, on connection: PGConnection
    ) async throws -> ReturnFigures.Criteria? {
        guard
            let pledge = try await PledgeStore.inForce(employerIDs: [employerID], periods: [period], on: connection)
                .first,
            let version = try await CharterVersionStore.version(id: pledge.charterVersionID, on: connection),
            let overrides = try? PledgeOverrides(json: Data(pledge.overrides.utf8))
        else { return nil }
        let rates = try await RateStore.table(on: connection)
        return try? ReturnFigures.Criteria(period: period, version: version, overrides: overrides, rates: rates)
    }
}

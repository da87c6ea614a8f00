import CharterDomain
import CharterStore
import Foundation
import PGClient
import TestSupport

/// A fresh, migrated database with a pool, for one test suite.
struct StoreFixture {
    let conninfo: String
    let pool: PGPool

    init(_ label: String) async throws {
        conninfo = try await TestCluster.migratedDatabase(label)
        _ = try await PGConnection.with(conninfo) { connection in
            // As charterd starts: the run's key in use, and the (empty) chain bound to it.
            try await AuditTrail.seal(on: connection, key: try Self.auditKey(), actor: "test")
        }
        pool = PGPool(configuration: PGPoolConfiguration(conninfo: conninfo))
    }

    /// The test run's audit key, in use in this process.
    static func auditKey() throws -> AuditKey {
        let key = try AuditKey(hex: TestAuditKey.hex)
        try AuditTrail.useKey(key)
        return key
    }

    var employers: EmployerStore { EmployerStore(pool: pool) }
    var returns: ReturnStore { ReturnStore(pool: pool) }
    var reps: RepStore { RepStore(pool: pool) }
    var tokens: TokenStore { TokenStore(pool: pool) }

    func count(_ query: PGQuery) async throws -> Int {
        try await pool.withConnection { try await $0.query(query)[0].decode(Int.self, at: 0) }
    }

    func newEmployer(_ name: String = "Mersey Care Homes Ltd") async throws -> Int64 {
        try requireID(try await employers.add(Employer(name: name), actor: "test").id)
    }
}

private func requireID(_ id: Int64?) throws -> Int64 {
    guard let id else { throw CharterStoreError(.notFound, "no id") }
    return id
}

/// Worker lines for tests: a valid CSV line per worker, with the columns the validator needs.
enum ReturnText {
    static let columns =
        "worker_ref,employment_type,contract_type,age_band,workplace_london,hourly_rate,contracted_hours,"
        + "avg_actual_hours_12w,zhc_by_request,start_date,shifts_scheduled,shifts_short_notice,"
        + "shifts_cancelled_short_notice,shifts_cancelled_paid"

    static func line(_ ref: String, rate: String = "13.50", hours: String = "37.5") -> String {
        "\(ref),direct,permanent,21_plus,no,\(rate),\(hours),\(hours),,2021-03-01,60,2,1,1"
    }

    static func csv(_ lines: [String]) -> String {
        ([columns] + lines).joined(separator: "\r\n") + "\r\n"
    }

    static func header(period: String = "2026-Q3", headcount: Int, extra: String = "") -> Data {
        Data(
            """
            {"period": "\(period)", "headcount": \(headcount)\(extra),
             "attestations": {"hs_policy_reviewed_on": "2026-02-01", "sick_pay_waiting_days": 0}}
            """.utf8)
    }

    /// The text as a stream of chunks of `size` bytes, as an upload or a file read delivers it.
    static func chunks(_ text: String, size: Int = 1_000) -> AsyncStream<[UInt8]> {
        let bytes = Array(text.utf8)
        return AsyncStream { continuation in
            var start = 0
            while start < bytes.count {
                continuation.yield(Array(bytes[start..<min(start + size, bytes.count)]))
                start += size
            }
            continuation.finish()
        }
    }
}

public import PGClient

extension AuditTrail {
    /// Walks `audit_log` in id order and proves the chain (SPEC §8: `charterctl audit verify`).
    ///
    /// For every row it recomputes the hash exactly as `audit_append` made it —
    /// `sha256(prev_hash || convert_to(audit_canonical(at, actor, …, details), 'UTF8'))`, in SQL with
    /// the same function, so the canonical text cannot drift from the writer's — and checks that the
    /// row's `prev_hash` is the previous row's `row_hash` (32 zero bytes before the first row). At the
    /// end `audit_head` must name the last row and its hash. The first failure is reported:
    /// content altered, chain broken (a row before it removed), or head mismatch (rows at the end
    /// removed, or the head changed).
    ///
    /// Rows are read in batches of `batchSize` by primary key, each batch checked by one query that
    /// returns a single summary row, inside one REPEATABLE READ transaction: the walk sees one
    /// snapshot, so rows appended meanwhile neither break nor extend it. Ids may have gaps (a
    /// transaction that appended and then rolled back used one up); only the hashes link rows.
    /// Call it on a connection that is not inside a transaction.
    public static func verify(on connection: PGConnection, batchSize: Int = 10_000) async throws -> AuditVerification {
        try await connection.withTransaction(isolation: .repeatableRead) { connection in
            let genesis = PGBytes([UInt8](repeating: 0, count: 32))
            var previousHash = genesis
            var previousID: Int64?
            var checked = 0
            while true {
                let summary = try await connection.query(
                    """
                    WITH page AS (
                        SELECT id, at, actor, action, entity, entity_id, details, prev_hash, row_hash
                        FROM audit_log WHERE id > \(previousID ?? 0) ORDER BY id LIMIT \(batchSize)
                    ), checked AS (
                        SELECT id, row_hash,
                               sha256(prev_hash || convert_to(
                                   audit_canonical(at, actor, action, entity, entity_id, details), 'UTF8'))
                                   = row_hash AS content_ok,
                               prev_hash = COALESCE(lag(row_hash) OVER (ORDER BY id), \(previousHash)) AS linked,
                               lag(id) OVER (ORDER BY id) AS previous_id
                        FROM page
                    ), first_bad AS (
                        SELECT id, content_ok, previous_id FROM checked
                        WHERE NOT (content_ok AND linked) ORDER BY id LIMIT 1
                    ), last_row AS (
                        SELECT id, row_hash FROM checked ORDER BY id DESC LIMIT 1
                    )
                    SELECT (SELECT count(*) FROM checked) AS rows,
                           (SELECT count(*) FROM checked WHERE id <= (SELECT id FROM first_bad)) AS rows_to_bad,
                           (SELECT id FROM first_bad) AS bad_id,
                           (SELECT content_ok FROM first_bad) AS bad_content_ok,
                           (SELECT previous_id FROM first_bad) AS bad_previous_id,
                           (SELECT id FROM last_row) AS last_id,
                           (SELECT row_hash FROM last_row) AS last_hash
                    """)[0]
                let rows = try summary.decode(Int.self, column: "rows")
                if let badID = try summary.decode(Int64?.self, column: "bad_id") {
                    checked += try summary.decode(Int.self, column: "rows_to_bad")
                    let before = try summary.decode(Int64?.self, column: "bad_previous_id") ?? previousID
                    let found =
                        try summary.decode(Bool.self, column: "bad_content_ok")
                        ? AuditVerification.Break(
                            rowID: badID, problem: .chainBroken, message: chainBroken(at: badID, after: before))
                        : AuditVerification.Break(
                            rowID: badID, problem: .contentAltered,
                            message: "row \(badID): content altered: its hash no longer matches what it records")
                    return AuditVerification(rowsChecked: checked, headHash: nil, firstBreak: found)
                }
                checked += rows
                if let lastID = try summary.decode(Int64?.self, column: "last_id") {
                    previousID = lastID
                    previousHash = try summary.decode(PGBytes.self, column: "last_hash")
                }
                if rows < batchSize { break }
            }
            let head = try await connection.query("SELECT last_id, row_hash FROM audit_head WHERE singleton")
            guard let headRow = head.first else {
                return AuditVerification(
                    rowsChecked: checked, headHash: nil,
                    firstBreak: .init(
                        rowID: nil, problem: .headMismatch, message: "head mismatch: audit_head has no row"))
            }
            let headID = try headRow.decode(Int64?.self, column: "last_id")
            let headHash = try headRow.decode(PGBytes.self, column: "row_hash")
            guard headID == previousID, headHash == previousHash else {
                let named = headID.map { "row \($0)" } ?? "no row"
                let message: String
                if headID == previousID {
                    message = "head mismatch: audit_head names \(named) but with another hash than that row has"
                } else if let previousID, (headID ?? 0) < previousID {
                    message =
                        "head mismatch: audit_head names \(named) but the log goes on to row \(previousID)"
                        + " (rows were added without audit_append)"
                } else {
                    let last = previousID.map { "the last row is \($0)" } ?? "the log is empty"
                    message = "head mismatch: audit_head names \(named) but \(last) (rows at the end were removed)"
                }
                return AuditVerification(
                    rowsChecked: checked, headHash: nil,
                    firstBreak: .init(rowID: headID ?? previousID, problem: .headMismatch, message: message))
            }
            return AuditVerification(rowsChecked: checked, headHash: Self.hex(headHash.bytes), firstBreak: nil)
        }
    }

    /// The sentence for row `id` whose `prev_hash` is not the hash of row `previous` (nil: none before).
    private static func chainBroken(at id: Int64, after previous: Int64?) -> String {
        guard let previous else {
            return "row \(id): chain broken: it is the first row but its prev_hash is not the chain's start"
                + " (rows before it were removed)"
        }
        return "row \(id): chain broken: its prev_hash is not the hash of row \(previous) before it"
            + " (a row between them was removed, or row \(previous) was changed and rehashed)"
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var text = ""
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return text
    }
}

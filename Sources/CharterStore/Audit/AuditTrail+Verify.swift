public import PGClient

extension AuditTrail {
    /// Proves the chain with the key this process uses (`useKey`); see `verify(on:key:publishedHead:batchSize:)`.
    public static func verify(on connection: PGConnection, batchSize: Int = 10_000) async throws -> AuditVerification {
        guard let key else {
            throw CharterStoreError(
                .auditKey,
                "no audit key is set, so the audit chain cannot be checked: set CHARTERD_AUDIT_KEY to the key"
                    + " charterd uses (see deploy/README.md)")
        }
        return try await verify(on: connection, key: key, batchSize: batchSize)
    }

    /// Walks `audit_log` in id order and proves the chain under `key` (SPEC §8: `charterctl audit verify`).
    ///
    /// For every row it recomputes the hash from the row's `prev_hash` and its canonical text — made by
    /// `audit_canonical`, the writer's own function, so the text cannot drift from the writer's — and
    /// checks that `prev_hash` is the previous row's `row_hash` (32 zero bytes before the first row).
    /// The hash must be the HMAC under `key`. Only rows before the first keyed row may instead carry
    /// plain SHA-256: they were written before the chain was keyed, and the first keyed row (the seal,
    /// `seal(on:key:actor:)`) vouches for them through its `prev_hash`. A SHA-256 row after a keyed one
    /// is what a superuser who removed or changed a row and recomputed the chain without the key leaves.
    /// At the end `audit_head` must name the last row and its hash, and record the key's fingerprint.
    ///
    /// `publishedHead` (the weekly summary's head, kept outside the database) must be one of the rows'
    /// hashes: that proves the chain was not cut back or rebuilt below a point someone saw — something no
    /// key can prove once rows at the end are removed together with the head.
    ///
    /// The first failure is reported. Rows are read in batches of `batchSize` by primary key inside one
    /// REPEATABLE READ transaction: the walk sees one snapshot, so rows appended meanwhile neither break
    /// nor extend it. Ids may have gaps (a transaction that appended and then rolled back used one up);
    /// only the hashes link rows. Call it on a connection that is not inside a transaction.
    public static func verify(
        on connection: PGConnection, key: AuditKey, publishedHead: [UInt8]? = nil, batchSize: Int = 10_000
    ) async throws -> AuditVerification {
        try await connection.withTransaction(isolation: .repeatableRead) { connection in
            let genesis = [UInt8](repeating: 0, count: 32)
            let headRows = try await connection.query(
                "SELECT last_id, row_hash, key_fingerprint FROM audit_head WHERE singleton")
            guard let headRow = headRows.first else {
                return AuditVerification(
                    rowsChecked: 0, headHash: nil,
                    firstBreak: .init(
                        rowID: nil, problem: .headMismatch, message: "head mismatch: audit_head has no row"))
            }
            let headID = try headRow.decode(Int64?.self, column: "last_id")
            let headHash = try headRow.decode(PGBytes.self, column: "row_hash").bytes
            let chainKey = try headRow.decode(PGBytes?.self, column: "key_fingerprint")?.bytes
            if let chainKey, chainKey != key.fingerprint {
                return AuditVerification(
                    rowsChecked: 0, headHash: nil,
                    firstBreak: .init(
                        rowID: nil, problem: .wrongKey,
                        message: "wrong key: the audit key given is not the key this chain is written with (the chain"
                            + " records key fingerprint \(hex(Array(chainKey.prefix(4))))…, this key's is"
                            + " \(hex(Array(key.fingerprint.prefix(4))))…); use CHARTERD_AUDIT_KEY as charterd has it"))
            }

            var walk = Walk(key: key, publishedHead: publishedHead, genesis: genesis)
            while true {
                let rows = try await connection.query(
                    """
                    SELECT id, prev_hash, row_hash,
                           audit_canonical(at, actor, action, entity, entity_id, details) AS canonical
                    FROM audit_log WHERE id > \(walk.previousID ?? 0) ORDER BY id LIMIT \(batchSize)
                    """)
                for row in rows {
                    if let found = walk.check(
                        id: try row.decode(Int64.self, column: "id"),
                        prevHash: try row.decode(PGBytes.self, column: "prev_hash").bytes,
                        rowHash: try row.decode(PGBytes.self, column: "row_hash").bytes,
                        canonical: try row.decode(String.self, column: "canonical"))
                    {
                        return walk.result(found)
                    }
                }
                if rows.count < batchSize { break }
            }

            if walk.checked > 0 && walk.firstKeyedRow == nil {
                let message =
                    chainKey == nil
                    ? "not keyed: none of the \(walk.checked) rows is hashed with the audit key yet; run"
                        + " `charterctl migrate` (or start charterd) to seal them under it"
                    : "not keyed: the chain records that it is keyed, but none of its \(walk.checked) rows is hashed"
                        + " with the key (the chain was rewritten without it)"
                return walk.result(.init(rowID: nil, problem: .notKeyed, message: message))
            }
            guard headID == walk.previousID, headHash == walk.previousHash else {
                let named = headID.map { "row \($0)" } ?? "no row"
                let message: String
                if headID == walk.previousID {
                    message = "head mismatch: audit_head names \(named) but with another hash than that row has"
                } else if let previousID = walk.previousID, (headID ?? 0) < previousID {
                    message =
                        "head mismatch: audit_head names \(named) but the log goes on to row \(previousID)"
                        + " (rows were added without audit_append_sealed)"
                } else {
                    let last = walk.previousID.map { "the last row is \($0)" } ?? "the log is empty"
                    message = "head mismatch: audit_head names \(named) but \(last) (rows at the end were removed)"
                }
                return walk.result(.init(rowID: headID ?? walk.previousID, problem: .headMismatch, message: message))
            }
            if walk.firstKeyedRow != nil && chainKey == nil {
                return walk.result(
                    .init(
                        rowID: headID, problem: .headMismatch,
                        message: "head mismatch: audit_head records no key, but the chain's rows are keyed"
                            + " (the head was changed)"))
            }
            if let publishedHead, walk.publishedHead == nil {
                return walk.result(
                    .init(
                        rowID: nil, problem: .publishedHeadMissing,
                        message: "the published head \(hex(publishedHead)) is not in the chain: rows up to it were"
                            + " removed or rewritten, or it was never this chain's head"))
            }
            var intact = walk.result(nil)
            intact.headHash = hex(headHash)
            return intact
        }
    }

    /// The state of a walk along the chain, one row at a time.
    private struct Walk {
        let key: AuditKey
        let publishedHeadBytes: [UInt8]?
        var previousHash: [UInt8]
        var previousID: Int64?
        var checked = 0
        var unkeyed = 0
        var firstKeyedRow: Int64?
        var publishedHead: AuditVerification.PublishedHead?

        init(key: AuditKey, publishedHead: [UInt8]?, genesis: [UInt8]) {
            self.key = key
            self.publishedHeadBytes = publishedHead
            self.previousHash = genesis
            if publishedHead == genesis {
                self.publishedHead = .init(hash: AuditTrail.hex(genesis), rowID: nil, position: 0)
            }
        }

        /// Checks one row against the one before it; the break it shows, if any.
        mutating func check(id: Int64, prevHash: [UInt8], rowHash: [UInt8], canonical: String)
            -> AuditVerification.Break?
        {
            checked += 1
            if rowHash == key.rowHash(previous: prevHash, canonical: canonical) {
                if firstKeyedRow == nil { firstKeyedRow = id }
            } else if rowHash == AuditKey.unkeyedRowHash(previous: prevHash, canonical: canonical) {
                if firstKeyedRow != nil {
                    return .init(
                        rowID: id, problem: .notKeyed,
                        message: "row \(id): not keyed: its hash is plain SHA-256 where the audit key's HMAC belongs"
                            + " (the row was written or rewritten without the key: rows may have been removed or"
                            + " changed and the chain recomputed)")
                }
                unkeyed += 1
            } else {
                return .init(
                    rowID: id, problem: .contentAltered,
                    message: "row \(id): content altered: its hash no longer matches what it records")
            }
            guard prevHash == previousHash else {
                return .init(
                    rowID: id, problem: .chainBroken, message: AuditTrail.chainBroken(at: id, after: previousID))
            }
            previousHash = rowHash
            previousID = id
            if publishedHead == nil, rowHash == publishedHeadBytes {
                publishedHead = .init(hash: AuditTrail.hex(rowHash), rowID: id, position: checked)
            }
            return nil
        }

        func result(_ found: AuditVerification.Break?) -> AuditVerification {
            AuditVerification(
                rowsChecked: checked, headHash: nil, firstBreak: found, unkeyedRows: unkeyed,
                firstKeyedRow: firstKeyedRow, publishedHead: publishedHead)
        }
    }

    /// The sentence for row `id` whose `prev_hash` is not the hash of row `previous` (nil: none before).
    fileprivate static func chainBroken(at id: Int64, after previous: Int64?) -> String {
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

extension AuditTrail {
    /// A chain head as a check prints it — 64 hexadecimal digits, either case — as bytes; nil for
    /// anything else. What `charterctl audit verify --head` and the audit page read.
    public static func headBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.lowercased().utf8)
        let isHexDigit = { (digit: UInt8) in (0x30...0x39).contains(digit) || (0x61...0x66).contains(digit) }
        guard digits.count == 64, digits.allSatisfy(isHexDigit) else { return nil }
        return stride(from: 0, to: 64, by: 2).compactMap {
            UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)
        }
    }
}

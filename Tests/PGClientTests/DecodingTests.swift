import Foundation
import PGClient
import TestSupport
import Testing

@Suite("Typed decoding against a real server", .timeLimit(.minutes(10)))
struct DecodingTests {
    let conninfo: String
    init() async throws { conninfo = try await TestCluster.freshDatabase("decoding") }

    /// Sends `value` as a bind, casts it on the server and reads it back.
    func roundTrip<Value: PGEncodable & PGDecodable>(_ value: Value, as sqlType: String) async throws -> Value {
        let connection = try await PGConnection.connect(conninfo)
        let rows = try await connection.query("SELECT \(value)::\(unsafeSQL: sqlType) AS v")
        return try #require(rows.first).decode(Value.self, column: "v")
    }

    /// A wide result (past the width where names are compared rather than hashed) read by the index of each
    /// column, found once, gives what reading by name gives; a column it does not have is named in the error.
    @Test func columnsFoundOnceReadLikeColumnsFoundByName() async throws {
        let connection = try await PGConnection.connect(conninfo)
        let names = (0..<20).map { "c\($0)" }
        let select = names.enumerated().map { "g * \($0.offset) AS \($0.element)" }.joined(separator: ", ")
        let rows = try await connection.query(
            PGQuery(unsafeSQL: "SELECT \(select) FROM generate_series(1, 3) AS g ORDER BY g"))
        let indices = try names.map { try rows.index(ofColumn: $0) }
        #expect(indices == Array(0..<20))
        for row in rows {
            for (name, index) in zip(names, indices) {
                #expect(try row.decode(Int.self, at: index) == row.decode(Int.self, column: name))
            }
        }
        #expect(try rows[2].decode(Int.self, at: indices[7]) == 21)
        let missing = #expect(throws: PGError.self) { try rows.index(ofColumn: "c20") }
        #expect(missing?.message == "the result has no column \"c20\"")
        await connection.close()
    }

    @Test func scalarsRoundTrip() async throws {
        #expect(try await roundTrip(true, as: "boolean") == true)
        #expect(try await roundTrip(false, as: "boolean") == false)
        #expect(try await roundTrip(Int16.min, as: "smallint") == Int16.min)
        #expect(try await roundTrip(Int32.max, as: "integer") == Int32.max)
        #expect(try await roundTrip(Int64.min, as: "bigint") == Int64.min)
        #expect(try await roundTrip(42, as: "bigint") == 42)
        #expect(try await roundTrip(Double(0.1), as: "double precision") == 0.1)
        #expect(try await roundTrip(Double.infinity, as: "double precision") == .infinity)
        #expect(try await roundTrip(Decimal(string: "13.4500")!, as: "numeric(8,4)") == Decimal(string: "13.45"))
        #expect(try await roundTrip(Decimal(string: "-0.0001")!, as: "numeric") == Decimal(string: "-0.0001"))
        let id = UUID()
        #expect(try await roundTrip(id, as: "uuid") == id)
        #expect(
            try await roundTrip(PGBytes([0, 1, 0xfe, 0xff, 0x5c]), as: "bytea") == PGBytes([0, 1, 0xfe, 0xff, 0x5c]))
    }

    @Test func bytesAreSentInBinaryBesideTextParametersPreparedOrNot() async throws {
        let connection = try await PGConnection.connect(conninfo)
        let every = PGBytes((0...255).map(UInt8.init) + [0, 0])
        let none: PGBytes? = nil
        // Sent as the bytes themselves, not as hex text (twice the size, for the server to decode).
        #expect(every.pgBind.binary == every.bytes && every.pgBind.text == nil)
        #expect(none.pgBind.binary == nil && none.pgBind.text == nil)
        for prepared in [false, true] {
            var query: PGQuery = """
                SELECT \(every) AS every, octet_length(\(every)) AS length, \("text ✓") AS label,
                       \(PGBytes([])) AS empty, \(none) IS NULL AS missing, \(7) AS number
                """
            if prepared { query = query.prepared() }
            let row = try #require(try await connection.query(query).first)
            #expect(try row.decode(PGBytes.self, column: "every") == every, "prepared: \(prepared)")
            #expect(try row.decode(Int.self, column: "length") == 258)
            #expect(try row.decode(String.self, column: "label") == "text ✓")
            #expect(try row.decode(PGBytes.self, column: "empty") == PGBytes([]))
            #expect(try row.decode(Bool.self, column: "missing"))
            #expect(try row.decode(Int.self, column: "number") == 7)
        }
    }

    /// An `int4[]` parameter goes in PostgreSQL's binary array format: the server reads back exactly what
    /// was sent — the limits, an empty array, a long one — and sees a one-dimensional array from 1.
    @Test func int4ArrayParametersArriveWhole() async throws {
        try await PGConnection.with(conninfo) { connection in
            let values: [Int32] = [1, -2, 300_000, .max, .min, 0]
            let long = (0..<100_000).map { Int32($0 * 3 - 7) }
            let empty: [Int32] = []
            let row = try #require(
                try await connection.query(
                    """
                    SELECT \(values)::text AS text, array_lower(\(values), 1) AS lower, \(empty) = '{}'::int4[] AS empty,
                           (SELECT sum(v)::bigint FROM unnest(\(long)) v) AS total, cardinality(\(long)) AS count
                    """
                ).first)
            #expect(try row.decode(String.self, column: "text") == "{1,-2,300000,2147483647,-2147483648,0}")
            #expect(try row.decode(Int.self, column: "lower") == 1)
            #expect(try row.decode(Bool.self, column: "empty"))
            #expect(try row.decode(Int.self, column: "count") == 100_000)
            #expect(try row.decode(Int64.self, column: "total") == long.reduce(0) { $0 + Int64($1) })
            // An [Int] of small values is still a bigint[] (with Foundation on Linux it would cast to [Int32]).
            let ids = [1, 2, 3]
            let kind = try await connection.query("SELECT pg_typeof(\(ids))::text AS kind")[0]
            #expect(try kind.decode(String.self, column: "kind") == "bigint[]")
        }
    }

    /// `text[]` and `int8[]` parameters go in the binary array format too: whatever a text holds — quotes,
    /// backslashes, braces, commas, the word NULL, nothing, JSON, other scripts — arrives as it was, in order;
    /// a text with a NUL character, which PostgreSQL cannot store, is refused rather than cut short.
    @Test func textAndBigintArrayParametersArriveWhole() async throws {
        try await PGConnection.with(conninfo) { connection in
            let texts = [
                #"say "hi""#, #"back\slash"#, "{braces}", "a,b", "NULL", "", "  spaced  ", #"{"k": [1, "v\"]}"#,
                "Siân — ✓ 日本",
            ]
            let numbers: [Int64] = [0, -1, .max, .min, 42]
            let ints = [7, -7]
            // The binary path is the one taken (the text path would read back the same).
            for bind in [texts.pgBind, numbers.pgBind, ints.pgBind] {
                #expect(bind.binary != nil && bind.text == nil)
            }
            let row = try #require(
                try await connection.query(
                    """
                    SELECT (SELECT array_agg(t ORDER BY n) FROM unnest(\(texts)) WITH ORDINALITY AS u (t, n)) AS texts,
                           pg_typeof(\(texts))::text AS text_kind, cardinality(\([String]())) AS none,
                           \(numbers)::text AS numbers, pg_typeof(\(ints))::text AS int_kind, \(ints)::text AS ints
                    """
                ).first)
            #expect(try row.decode([String].self, column: "texts") == texts)
            #expect(try row.decode(String.self, column: "text_kind") == "text[]")
            #expect(try row.decode(Int.self, column: "none") == 0)
            #expect(
                try row.decode(String.self, column: "numbers") == "{0,-1,9223372036854775807,-9223372036854775808,42}")
            #expect(try row.decode(String.self, column: "int_kind") == "bigint[]")
            #expect(try row.decode(String.self, column: "ints") == "{7,-7}")
            await #expect(throws: PGError.self) {
                _ = try await connection.query("SELECT cardinality(\(["before\u{0}after"])) AS n")
            }
        }
    }

    /// Integer arrays take a byte-level path (no `String` per element); what it does not expect — a NULL
    /// element, a value past the Swift type's range — still goes the general way and is read or refused as before.
    @Test func integerArraysAreReadStraightFromTheirBytes() async throws {
        let connection = try await PGConnection.connect(conninfo)
        let row = try #require(
            try await connection.query(
                """
                SELECT '{1,-2,300000,2147483647,-2147483648}'::int4[] AS small, '{}'::int4[] AS empty,
                       '{7}'::int2[] AS short, ARRAY[NULL, 1]::int4[] AS holed,
                       '{9223372036854775807,-9223372036854775808,0}'::int8[] AS big,
                       '{2147483648}'::int8[] AS past
                """
            ).first)
        #expect(try row.decode([Int32].self, column: "small") == [1, -2, 300_000, .max, .min])
        #expect(try row.decode([Int32].self, column: "empty") == [])
        #expect(try row.decode([Int32].self, column: "short") == [7])
        #expect(try row.decode([Int].self, column: "small") == [1, -2, 300_000, 2_147_483_647, -2_147_483_648])
        #expect(try row.decode([Int64].self, column: "big") == [.max, .min, 0])
        #expect(throws: (any Error).self) { try row.decode([Int32].self, column: "holed") }
        #expect(throws: (any Error).self) { try row.decode([Int32].self, column: "past") }
        #expect(try row.decode([Int64].self, column: "past") == [2_147_483_648])
    }

    @Test func integersAreReadToTheirLimitsAndRefusedPastThem() async throws {
        let connection = try await PGConnection.connect(conninfo)
        let row = try #require(
            try await connection.query(
                """
                SELECT 9223372036854775807::bigint AS max, (-9223372036854775807 - 1)::bigint AS min,
                       0::bigint AS zero, -7::int AS minus, 40000::int AS wide, 4294967295::oid AS oid
                """
            ).first)
        #expect(try row.decode(Int64.self, column: "max") == .max)
        #expect(try row.decode(Int64.self, column: "min") == .min)
        #expect(try row.decode(Int.self, column: "zero") == 0)
        #expect(try row.decode(Int32.self, column: "minus") == -7)
        #expect(try row.decode(Int32.self, column: "wide") == 40_000)
        #expect(try row.decode(Int64.self, column: "oid") == 4_294_967_295)
        let error = #expect(throws: PGError.self) { try row.decode(Int32.self, column: "oid") }
        #expect(error?.message.contains("does not fit in Int32") == true)
    }

    @Test func cellsOfAWideResultKeepTheirOwnText() async throws {
        // Wider than the column search, with empty strings and NULLs between texts in one buffer.
        let connection = try await PGConnection.connect(conninfo)
        let columns = (0..<20).map { i in
            i % 3 == 0 ? "NULL::text AS c\(i)" : i % 3 == 1 ? "'' AS c\(i)" : "'é\(i)' AS c\(i)"
        }
        let rows = try await connection.query(
            "SELECT \(unsafeSQL: columns.joined(separator: ", ")) FROM generate_series(1, 3)")
        #expect(rows.count == 3)
        for row in rows {
            for i in 0..<20 {
                let value = try row.decode(String?.self, column: "c\(i)")
                #expect(value == (i % 3 == 0 ? nil : i % 3 == 1 ? "" : "é\(i)"))
                #expect(row.isNull(column: "c\(i)") == (i % 3 == 0))
            }
        }
    }

    @Test func timestampsKeepMicrosecondsAndDatesAreMidnightUTC() async throws {
        let instant = Date(timeIntervalSince1970: 1_795_000_000.123456)
        let back = try await roundTrip(instant, as: "timestamptz")
        #expect(abs(back.timeIntervalSince1970 - instant.timeIntervalSince1970) < 0.000_002)

        let connection = try await PGConnection.connect(conninfo)
        let row = try #require(try await connection.query("SELECT DATE '2026-03-29' AS d").first)
        let day = try row.decode(Date.self, column: "d")
        #expect(day == ISO8601DateFormatter().date(from: "2026-03-29T00:00:00Z"))
        let old = try #require(try await connection.query("SELECT TIMESTAMPTZ '1969-12-31 23:59:59.5+00' AS t").first)
        #expect(try old.decode(Date.self, column: "t").timeIntervalSince1970 == -0.5)
    }

    @Test func binaryRowsDecodeToTheSameValuesAsTextRowsPreparedOrNot() async throws {
        let connection = try await PGConnection.connect(conninfo)
        // Instants on both sides of 1970 and of 2000 (binary's epoch), with and without fractions.
        let instants = [
            "1969-12-31 23:59:59.5+00", "1999-12-31 23:59:59.999999+00", "2000-01-01 00:00:00+00",
            "2026-03-29 00:59:59.123456+00", "2026-10-25 01:30:00.5+01", "1900-01-01 00:00:00.000001+00",
            "9999-12-31 23:59:59.999999+00",
        ]
        var text: PGQuery = """
            SELECT g AS n, 4294967295::oid AS top, g::smallint AS small, g::int AS int, (g * 4294967296)::bigint AS big, g::oid AS oid,
                   g % 2 = 0 AS even, 'é ' || g AS label, decode(repeat('00ff5c78', g), 'hex') AS blob, ('v' || g)::varchar(9) AS short, NULL::bigint AS none,
                   (ARRAY[\(unsafeSQL: instants.map { "'\($0)'" }.joined(separator: ", "))]::timestamptz[])[g] AS at,
                   ((ARRAY[\(unsafeSQL: instants.map { "'\($0)'" }.joined(separator: ", "))]::timestamptz[])[g]
                       AT TIME ZONE 'UTC') AS local, (DATE '2000-01-01' + (g - 4) * 400) AS day
            FROM generate_series(1, \(instants.count)::int) g ORDER BY g
            """
        for prepared in [false, true] {
            if prepared { text = text.prepared() }
            let textRows = try await connection.query(text)
            let binaryRows = try await connection.query(text.binaryResults())
            let formats = (textRows.columns.map(\.isBinary), binaryRows.columns.map(\.isBinary))
            #expect(!formats.0.contains(true) && !formats.1.contains(false))
            #expect(binaryRows.count == instants.count)
            for (t, b) in zip(textRows, binaryRows) {
                #expect(try b.decode(Int.self, column: "n") == t.decode(Int.self, column: "n"))
                #expect(try b.decode(Int16.self, column: "small") == t.decode(Int16.self, column: "small"))
                #expect(try b.decode(Int32.self, column: "int") == t.decode(Int32.self, column: "int"))
                #expect(try b.decode(Int64.self, column: "big") == t.decode(Int64.self, column: "big"))
                #expect(try b.decode(Int64.self, column: "oid") == t.decode(Int64.self, column: "oid"))
                #expect(try b.decode(Int64.self, column: "small") == t.decode(Int64.self, column: "small"))
                #expect(try b.decode(Bool.self, column: "even") == t.decode(Bool.self, column: "even"))
                #expect(try b.decode(String.self, column: "label") == t.decode(String.self, column: "label"))
                #expect(try b.decode(String.self, column: "short") == t.decode(String.self, column: "short"))
                #expect(try b.decode(PGBytes.self, column: "blob") == t.decode(PGBytes.self, column: "blob"))
                #expect(try b.decode(Int64?.self, column: "none") == nil)
                // The same Double, not only the same microsecond.
                #expect(try b.decode(Date.self, column: "at") == t.decode(Date.self, column: "at"))
                #expect(try b.decode(Date.self, column: "local") == t.decode(Date.self, column: "local"))
                #expect(try b.decode(Date.self, column: "day") == t.decode(Date.self, column: "day"))
            }
            let first = try #require(binaryRows.first)
            #expect(try first.decode(Date.self, column: "at").timeIntervalSince1970 == -0.5)
            // A value read as an integer too narrow for it is refused, as in text.
            #expect(try first.decode(Int64.self, column: "top") == 4_294_967_295)
            let error = #expect(throws: PGError.self) { try first.decode(Int32.self, column: "top") }
            #expect(error?.message.contains("does not fit in Int32") == true)
        }
        // Types it does not read in binary are refused by name, not misread.
        try await connection.execute("CREATE TYPE mood AS ENUM ('calm')")
        let odd: PGQuery = "SELECT 1.5::numeric AS rate, 'infinity'::timestamptz AS never, 'calm'::mood AS mood"
        let row = try #require(try await connection.query(odd.binaryResults()).first)
        let mood = #expect(throws: PGError.self) { try row.decode(String.self, column: "mood") }
        #expect(mood?.message.contains("whose binary form this client does not read") == true)
        let numeric = #expect(throws: PGError.self) { try row.decode(Decimal.self, column: "rate") }
        #expect(numeric?.message.contains("\"rate\" came in binary") == true)
        let never = #expect(throws: PGError.self) { try row.decode(Date.self, column: "never") }
        #expect(never?.message.contains("infinity") == true)
    }

    @Test func arraysRoundTrip() async throws {
        #expect(try await roundTrip([1, 2, 3], as: "bigint[]") == [1, 2, 3])
        #expect(
            try await roundTrip(["a b", "q\"uote", "back\\slash", "NULL", "", "{}", "Zoë, Łódź", "日本"], as: "text[]")
                == ["a b", "q\"uote", "back\\slash", "NULL", "", "{}", "Zoë, Łódź", "日本"])
        #expect(
            try await roundTrip([Decimal(string: "12.60")!, 13], as: "numeric[]") == [Decimal(string: "12.6")!, 13])
        #expect(try await roundTrip([Bool](), as: "boolean[]") == [])
        let ids = [UUID(), UUID()]
        #expect(try await roundTrip(ids, as: "uuid[]") == ids)
    }

    /// A `numeric[]` writes each distinct value once (`Decimal.description` is slow for 38 digits): values
    /// that repeat, values equal in value but written differently, and NaN (not equal to itself) all come back
    /// as they were sent, in order.
    @Test func numericArraysWithRepeatedValuesRoundTrip() async throws {
        var shares: [Decimal] = []
        for workers in 1...40 {
            for zeroHours in 0...workers { shares.append(Decimal(zeroHours) * 100 / Decimal(workers)) }
        }
        let sent = shares + shares.reversed() + [Decimal(string: "12.60")!, Decimal(string: "12.6")!, -0.5]
        #expect(try await roundTrip(sent, as: "numeric[]") == sent)
        let connection = try await PGConnection.connect(conninfo)
        let withNaN = [Decimal(1) * 100 / 3, .nan, Decimal(1) * 100 / 3, .nan]
        let rows = try await connection.query(
            "SELECT array_to_string(\(withNaN)::numeric[], ' ') AS texts")
        let texts = try #require(rows.first).decode(String.self, column: "texts").split(separator: " ")
        #expect(texts.map(String.init) == withNaN.map { $0.isNaN ? "NaN" : $0.description })
    }

    struct Evidence: Codable, Sendable, Equatable {
        var count: Int
        var refs: [String]
        var lowest: Decimal?
    }

    @Test func jsonDecodesIntoCodable() async throws {
        let value = Evidence(count: 3, refs: ["W-1", "W-\"2\""], lowest: Decimal(string: "11.44"))
        let connection = try await PGConnection.connect(conninfo)
        let row = try #require(try await connection.query("SELECT \(PGJSON(value)) AS e").first)
        #expect(try row.decodeJSON(Evidence.self, column: "e") == value)
    }

    @Test func nullIsNilForOptionalsAndAnErrorOtherwise() async throws {
        let connection = try await PGConnection.connect(conninfo)
        let missing: Int? = nil
        let row = try #require(
            try await connection.query("SELECT \(missing as Int?)::bigint AS n, NULL::text[] AS a").first)
        #expect(try row.decode(Int?.self, column: "n") == nil)
        #expect(try row.decode([String]?.self, column: "a") == nil)
        let error = #expect(throws: PGError.self) { try row.decode(Int.self, column: "n") }
        #expect(error?.code == .decoding)
        #expect(error?.message.contains("\"n\"") == true)
    }

    @Test func textHoldingANULIsRefusedNotCutShort() async throws {
        let connection = try await PGConnection.connect(conninfo)
        let error = await #expect(throws: PGError.self) {
            try await connection.query("SELECT \("before\u{0}after")::text AS t")
        }
        #expect(error?.code == .invalidBind)
        #expect(error?.message.contains("$1") == true)
        // The connection is still usable.
        #expect(try await connection.query("SELECT 1 AS one")[0].decode(Int.self, column: "one") == 1)
    }

    @Test func aTypeMismatchNamesTheColumn() async throws {
        let connection = try await PGConnection.connect(conninfo)
        let row = try #require(try await connection.query("SELECT 'twelve'::text AS headcount").first)
        let error = #expect(throws: PGError.self) { try row.decode(Int.self, column: "headcount") }
        #expect(error?.code == .decoding)
        #expect(error?.column == "headcount")
        #expect(error?.message.contains("headcount") == true)
        #expect(error?.message.contains("text") == true)
    }

    @Test func bindsCarryQuotesBackslashesAndUnicodeVerbatim() async throws {
        let connection = try await PGConnection.connect(conninfo)
        try await connection.execute("CREATE TABLE notes (body text NOT NULL)")
        let tricky = [
            "O'Brien's \"quoted\" -- not a comment", "C:\\payroll\\export\\", "'; DROP TABLE notes; --",
            "Zoë Ødegaard — Caerdydd 🏴 ", "$1 $2 literally",
        ]
        for body in tricky { try await connection.execute("INSERT INTO notes (body) VALUES (\(body))") }
        let rows = try await connection.query("SELECT body FROM notes ORDER BY body")
        #expect(try rows.map { try $0.decode(String.self, column: "body") } == tricky.sorted())
        let found = try await connection.query("SELECT count(*) AS n FROM notes WHERE body = \(tricky[2])")
        #expect(try found.first?.decode(Int.self, column: "n") == 1)
    }

    @Test func interpolatedFragmentsAreRenumbered() async throws {
        let connection = try await PGConnection.connect(conninfo)
        let filter: PGQuery = "x > \(1) AND x < \(5) AND '$1' <> 'y'"
        let rows = try await connection.query(
            "SELECT count(*) AS n FROM generate_series(\(0), \(10)) AS x WHERE \(filter)")
        #expect(try rows.first?.decode(Int.self, column: "n") == 3)
    }
}

extension PGQuery.StringInterpolation {
    /// Test-only: a fixed SQL type name inside a cast.
    mutating func appendInterpolation(unsafeSQL text: String) { appendLiteral(text) }
}

import Foundation
import PGClient
import TestSupport
import Testing

@Suite("COPY FROM STDIN", .timeLimit(.minutes(10)))
struct CopyTests {
    let conninfo: String
    init() async throws { conninfo = try await TestCluster.freshDatabase("copy") }

    @Test func copiesOneHundredThousandRows() async throws {
        let connection = try await PGConnection.connect(conninfo)
        try await connection.execute("CREATE TABLE lines (ref text PRIMARY KEY, rate numeric(8,4), note text)")
        let copied = try await connection.copyFrom("COPY lines (ref, rate, note) FROM STDIN (FORMAT csv)") { writer in
            for index in 0..<100_000 {
                try await writer.write("W\(index),\(12 + index % 300).5,\"say \"\"hi\"\", ok\"\n")
            }
        }
        #expect(copied == 100_000)
        let row = try #require(try await connection.query("SELECT count(*) AS n, max(note) AS note FROM lines").first)
        #expect(try row.decode(Int.self, column: "n") == 100_000)
        #expect(try row.decode(String.self, column: "note") == "say \"hi\", ok")
        // In the order written: the rows span a dozen chunks, several on their way at once, and a fresh table
        // keeps COPY's rows in the order they arrived.
        let misplaced = try await connection.query(
            """
            SELECT count(*) AS n FROM (SELECT ref, row_number() OVER (ORDER BY ctid) - 1 AS position FROM lines) r
            WHERE ref <> 'W' || position
            """)
        #expect(try misplaced.first?.decode(Int.self, column: "n") == 0)
    }

    @Test func aThrowingBodyAbortsTheCopyAndStoresNothing() async throws {
        let connection = try await PGConnection.connect(conninfo)
        try await connection.execute("CREATE TABLE lines (ref text)")
        await #expect(throws: Oops.self) {
            _ = try await connection.copyFrom("COPY lines FROM STDIN") { writer in
                for index in 0..<50_000 { try await writer.write("W\(index)\n") }
                throw Oops()
            }
        }
        let count = try await connection.query("SELECT count(*) AS n FROM lines")
        #expect(try count.first?.decode(Int.self, column: "n") == 0)
        #expect(await connection.isIdle)
    }

    @Test func badDataIsAServerErrorAndTheConnectionSurvives() async throws {
        let connection = try await PGConnection.connect(conninfo)
        try await connection.execute("CREATE TABLE lines (n int)")
        let error = await #expect(throws: PGError.self) {
            _ = try await connection.copyFrom("COPY lines FROM STDIN") { try await $0.write("1\nnot-a-number\n") }
        }
        #expect(error?.sqlState == .invalidTextRepresentation)
        #expect(try await connection.query("SELECT count(*) AS n FROM lines").first?.decode(Int.self, column: "n") == 0)
    }
}

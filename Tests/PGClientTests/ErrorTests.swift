import PGClient
import TestSupport
import Testing

@Suite("Server errors", .timeLimit(.minutes(10)))
struct ErrorTests {
    let conninfo: String
    init() async throws { conninfo = try await TestCluster.freshDatabase("errors") }

    @Test func uniqueViolationCarriesSQLStateAndConstraintButNoValues() async throws {
        let connection = try await PGConnection.connect(conninfo)
        try await connection.execute("CREATE TABLE contacts (email text CONSTRAINT contacts_email_key UNIQUE)")
        let secret = "alice.private@example.org"
        try await connection.execute("INSERT INTO contacts VALUES (\(secret))")
        let error = await #expect(throws: PGError.self) {
            try await connection.execute("INSERT INTO contacts VALUES (\(secret))")
        }
        #expect(error?.sqlState == .uniqueViolation)
        #expect(error?.constraint == "contacts_email_key")
        #expect(error?.table == "contacts")
        // The server's detail quotes the value; the loggable description must not.
        #expect(error?.detail?.contains(secret) == true)
        #expect(error.map { "\($0)" }?.contains(secret) == false)
        #expect(error.map { String(describing: $0) }?.contains("23505") == true)
        // The connection is still usable after an error.
        #expect(try await connection.query("SELECT 1 AS one").first?.decode(Int.self, column: "one") == 1)
    }

    @Test func syntaxErrorHasItsSQLStateAndPosition() async throws {
        let connection = try await PGConnection.connect(conninfo)
        let error = await #expect(throws: PGError.self) { try await connection.query("SELEC 1") }
        #expect(error?.code == .server)
        #expect(error?.sqlState == .syntaxError)
        #expect(error?.position == 1)
    }

    @Test func invalidInputDoesNotLeakTheValueIntoTheDescription() async throws {
        let connection = try await PGConnection.connect(conninfo)
        let error = await #expect(throws: PGError.self) {
            try await connection.query("SELECT \("NI-AB123456C")::integer")
        }
        #expect(error?.sqlState == .invalidTextRepresentation)
        #expect(error?.message.contains("NI-AB123456C") == true)
        #expect(error.map { "\($0)" }?.contains("NI-AB123456C") == false)
    }

    @Test func aBadConninfoIsAConnectionError() async throws {
        let error = await #expect(throws: PGError.self) {
            _ = try await PGConnection.connect("host=/nonexistent-socket-dir dbname=nothing")
        }
        #expect(error?.code == .connectionFailed)
    }
}

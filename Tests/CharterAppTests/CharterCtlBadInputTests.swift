import Foundation
import PGClient
import TestSupport
import Testing

/// `charterctl` as the attacker met it: stored control characters reach the terminal escaped, and
/// bad input is refused with a sentence naming the place, never the database's raw error.
@Suite("charterctl shows stored text safely and refuses bad input", .timeLimit(.minutes(10)))
struct CharterCtlBadInputTests {
    let workspace: CharterCtlWorkspace
    var conninfo: String { workspace.conninfo }

    init() async throws { workspace = try await CharterCtlWorkspace("ctlbadinput") }

    func run(_ arguments: [String]) async throws -> CharterCtlTests.Outcome { try await workspace.run(arguments) }

    func write(_ name: String, _ text: String) throws -> String { try workspace.write(name, text) }

    @Test func controlCharactersInStoredNamesAndSuppliersAreShownEscaped() async throws {
        // Text stored before input refused control characters (or written behind the service's back).
        try await PGConnection.with(conninfo) { connection in
            let employer = try await connection.query(
                "INSERT INTO employers (name) VALUES (\("Evil\u{1B}]2;owned\u{07} Ltd")) RETURNING id"
            )[0].decode(Int64.self, column: "id")
            try await connection.execute(
                """
                INSERT INTO flags (employer_id, standard_id, period, subject, state, severity)
                VALUES (\(employer), 'pay.contractor-rlw', '2026-Q3', \("Bright\u{1B}[2Jclean\u{9B}31m"), 'open', 'breach')
                """)
        }
        let listed = try await run(["flags", "list"])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("pay.contractor-rlw (Bright\\u{1B}[2Jclean\\u{9B}31m)"), "\(listed.stdout)")
        #expect(listed.stdout.contains("Evil\\u{1B}]2;owned\\u{07} Ltd"))
        #expect(!listed.stdout.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" || $0 == "\u{9B}" })
        // JSON for scripts stays JSON: the encoder escapes the control characters its own way.
        let json = try await run(["flags", "list", "--format", "json"])
        let flags = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(flags.first?["subject"] as? String == "Bright\u{1B}[2Jclean\u{9B}31m")
    }

    @Test func tooLongOrControlledTextIsRefusedNamingTheFieldAndNothingIsStored() async throws {
        let long = try await run(["employer", "add", "--name", String(repeating: "N", count: 300)])
        #expect(long.status == 1)
        #expect(long.stderr.contains("name is 300 characters long; an employer's name may be at most 200"))
        #expect(long.stderr.utf8.count < 1_000)
        let added = try await run(["employer", "add", "--name", "Wirral Care Ltd", "--format", "json"])
        let employer = try #require(
            (try JSONSerialization.jsonObject(with: Data(added.stdout.utf8)) as? [String: Any])?["id"] as? Int)
        let contact = try await run([
            "contact", "add", "--employer", "\(employer)", "--name", "Ann\u{1B}[2J", "--email", "ann@wirral.example",
        ])
        #expect(contact.status == 1)
        #expect(contact.stderr.contains("a control character (\\u{1B}) at character 4"), "\(contact.stderr)")
        #expect(!contact.stderr.unicodeScalars.contains("\u{1B}"))
        let listed = try await run(["employer", "list", "--format", "json"])
        #expect(!listed.stdout.contains("NNNN"))
    }

    @Test func outOfRangeValuesInAReturnAreRefusedWithLineAndColumnNotTheDatabasesWords() async throws {
        let added = try await run(["employer", "add", "--name", "Sefton Care CIC", "--format", "json"])
        let employer = try #require(
            (try JSONSerialization.jsonObject(with: Data(added.stdout.utf8)) as? [String: Any])?["id"] as? Int)
        let header = try write(
            "header.json", #"{"period": "2026-Q3", "headcount": 2, "attestations": {"sick_pay_waiting_days": 0}}"#)
        let lines = try write(
            "lines.csv",
            [
                CharterCtlReturnTests.columns,
                "W1,direct,permanent,21_plus,no,13.50,37.5,37.5,,2021-03-01,2147483648,2,1,1",
                "W2,direct,permanent,21_plus,no,13.50,37.5,37.5,,0000-03-01,60,2,1,1",
            ].joined(separator: "\n") + "\n")
        let rejected = try await run([
            "return", "submit", "--employer", "\(employer)", "--period", "2026-Q3", "--header", header, "--lines",
            lines,
        ])
        #expect(rejected.status == 1)
        #expect(
            rejected.stderr.contains("line 2, column shifts_scheduled: shifts_scheduled 2147483648 is out of range"))
        #expect(rejected.stderr.contains("line 3, column start_date"))
        #expect(!rejected.stderr.contains("SQLSTATE"))
        let broken = try write("broken.json", "{\n  \"period\": \"2026-Q3\",\n  \"headcount\": 1e400\n}")
        let unreadable = try await run([
            "return", "submit", "--employer", "\(employer)", "--period", "2026-Q3", "--header", broken,
        ])
        #expect(unreadable.status == 1)
        #expect(unreadable.stderr.contains("the return is not valid JSON: line 3, column 16, field headcount"))
        let none = try await run([
            "return", "history", "--employer", "\(employer)", "--period", "2026-Q3", "--format", "json",
        ])
        #expect(none.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]")
    }
}

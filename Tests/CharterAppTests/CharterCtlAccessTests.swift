import CharterAccess
import CharterStore
import Foundation
import PGClient
import TestSupport
import Testing

/// The rep, token, user and audit commands of `charterctl`, run as the charter team would.
@Suite("charterctl reps, tokens, users and audit", .timeLimit(.minutes(10)))
struct CharterCtlAccessTests {
    let conninfo: String
    let environment: [String: String]
    let directory: URL

    init() async throws {
        conninfo = try await TestCluster.migratedDatabase("ctlaccess")
        environment = ["CHARTERD_DATABASE_URL": conninfo, "USER": "carol"].merging(TestAuditKey.environment) { $1 }
        directory = FileManager.default.temporaryDirectory.appending(path: "ctl-access-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let migrated = try await run(["migrate"])
        #expect(migrated.status == 0, "\(migrated.stderr)")
    }

    func run(_ arguments: [String], standardInput: String? = nil, environment extra: [String: String] = [:])
        async throws -> CharterCtlTests.Outcome
    {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CHARTERD_") }
        environment.merge(self.environment) { $1 }
        environment.merge(extra) { $1 }
        let input = try standardInput.map { try write("stdin-\(UUID().uuidString.prefix(8))", $0) }
        let process = try SpawnedProcess(
            SpawnedProcess.builtExecutable("charterctl"), arguments, environment: environment, standardInput: input)
        let status = try await process.exitStatus()
        return CharterCtlTests.Outcome(status: status, stdout: process.standardOutput, stderr: process.standardError)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appending(path: name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func jsonList(_ text: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    }

    func employer(_ name: String) async throws -> Int {
        let added = try await run(["employer", "add", "--name", name, "--format", "json"])
        #expect(added.status == 0, "\(added.stderr)")
        return try #require(try json(added.stdout)["id"] as? Int)
    }

    func withPool<Result>(_ body: (PGPool) async throws -> Result) async throws -> Result {
        let pool = PGPool(configuration: PGPoolConfiguration(conninfo: conninfo))
        do {
            let result = try await body(pool)
            await pool.close()
            return result
        } catch {
            await pool.close()
            throw error
        }
    }

    func count(_ query: PGQuery) async throws -> Int {
        try await withPool { pool in
            try await pool.withConnection { try await $0.query(query)[0].decode(Int.self, at: 0) }
        }
    }

    @Test func repsAreAddedWithTheirCoverageAndListed() async throws {
        let (a, b) = (try await employer("Wirral Care Ltd"), try await employer("Sefton Buses Ltd"))
        let added = try await run([
            "rep", "add", "--name", "Jo Bloggs", "--email", "jo@unite.org", "--union", "Unite", "--covers", "\(a),\(b)",
            "--format", "json",
        ])
        #expect(added.status == 0, "\(added.stderr)")
        let rep = try json(added.stdout)
        #expect(rep["covered_employer_ids"] as? [Int] == [a, b])
        #expect(rep["union_name"] as? String == "Unite")

        let listed = try await run(["rep", "list"])
        #expect(listed.stdout.contains("Jo Bloggs\tjo@unite.org\tUnite\temployers \(a), \(b)"))
        #expect(listed.stdout.contains("1 rep\n"))

        let unknown = try await run([
            "rep", "add", "--name", "Sam", "--email", "sam@unite.org", "--covers", "\(a),999",
        ])
        #expect(unknown.status == 1)
        #expect(unknown.stderr == "Error: there is no employer 999 to cover; nothing was stored\n")

        let duplicate = try await run(["rep", "add", "--name", "Jo", "--email", "JO@unite.org", "--covers", "\(a)"])
        #expect(duplicate.status == 1)
        #expect(duplicate.stderr.contains("JO@unite.org is already the email of rep"))

        let malformed = try await run(["rep", "add", "--name", "Jo", "--email", "x@y.org", "--covers", "3,x"])
        #expect(malformed.status == 2)
        #expect(malformed.stderr.contains("--covers"))

        let id = try #require(rep["id"] as? Int)
        let moved = try await run(["rep", "set-coverage", "\(id)", "--covers", "\(b)"])
        #expect(moved.status == 0, "\(moved.stderr)")
        #expect(moved.stdout == "Rep \(id) (Jo Bloggs) now covers employer \(b)\n")
        #expect(try await count("SELECT count(*) FROM audit_log WHERE actor = 'charterctl:carol'") == 4)
    }

    @Test func aTokenIsPrintedOnceWorksAndCanBeRevoked() async throws {
        let employer = try await employer("Wirral Care Ltd")
        let created = try await run([
            "token", "create", "--role", "employer", "--employer", "\(employer)", "--label", "Sage payroll",
            "--expires", "2099-03-31", "--format", "json",
        ])
        #expect(created.status == 0, "\(created.stderr)")
        let answer = try json(created.stdout)
        let text = try #require(answer["token"] as? String)
        let record = try #require(answer["record"] as? [String: Any])
        let prefix = try #require(APIToken.parse(text)?.prefix)
        #expect(record["prefix"] as? String == prefix)
        // Valid through the whole of 31 March, UK time (BST then: midnight is 23:00 UTC).
        #expect(record["expires_at"] as? String == "2099-03-31T23:00:00Z")

        let principal = try await withPool { try await TokenStore(pool: $0).authenticate(text) }
        #expect(principal == Principal.employer(Int64(employer), actor: "token:\(prefix)"))

        let listed = try await run(["token", "list"])
        #expect(listed.status == 0)
        #expect(listed.stdout.contains("cw_\(prefix)_…\trole employer, employer \(employer)"))
        #expect(!listed.stdout.contains(text))
        #expect(try await count("SELECT count(*) FROM audit_log WHERE strpos(details::text, \(text)) > 0") == 0)

        let id = try #require(record["id"] as? Int)
        let revoked = try await run(["token", "revoke", "\(id)"])
        #expect(revoked.status == 0, "\(revoked.stderr)")
        #expect(try await withPool { try await TokenStore(pool: $0).authenticate(text) } == nil)
        let again = try await run(["token", "revoke", "\(id)"])
        #expect(again.status == 1)
        #expect(again.stderr == "Error: token \(id) is already revoked\n")
    }

    @Test func aRoleWithoutItsBindingIsRefusedWithASentence() async throws {
        let employer = try await employer("Wirral Care Ltd")
        let missing = try await run(["token", "create", "--role", "employer"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "Error: an employer token needs the employer it belongs to\n")
        let extra = try await run(["token", "create", "--role", "viewer", "--employer", "\(employer)"])
        #expect(extra.status == 1)
        #expect(extra.stderr == "Error: a viewer token sees every employer and cannot be bound to an employer or rep\n")
        let noRep = try await run(["token", "create", "--role", "rep", "--rep", "42"])
        #expect(noRep.status == 1)
        #expect(noRep.stderr == "Error: there is no rep 42\n")
        let past = try await run(["token", "create", "--role", "admin", "--expires", "2020-01-01"])
        #expect(past.status == 1)
        #expect(past.stderr.contains("has already passed"))
        let role = try await run(["token", "create", "--role", "owner"])
        #expect(role.status == 2)
        #expect(role.stderr.contains("--role owner is not a role"))
        #expect(try await count("SELECT count(*) FROM api_tokens") == 0)
    }

    @Test func aUsersPasswordComesFromStandardInputOrAFileNeverTheCommandLine() async throws {
        let password = "correct horse battery staple"
        let fromStdin = try await run(
            [
                "user", "add", "--email", "ann@charter.example", "--name", "Ann Admin", "--role", "admin", "--format",
                "json",
            ],
            standardInput: password + "\n")
        #expect(fromStdin.status == 0, "\(fromStdin.stderr)")
        #expect(try json(fromStdin.stdout)["email"] as? String == "ann@charter.example")

        let employer = try await employer("Wirral Care Ltd")
        let file = try write("password.txt", "another long passphrase\r\nignored second line\n")
        let fromFile = try await run([
            "user", "add", "--email", "pat@wirral.example", "--name", "Pat", "--role", "employer", "--employer",
            "\(employer)", "--password-file", file,
        ])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        #expect(fromFile.stdout.contains("Pat <pat@wirral.example>, role employer, employer \(employer)"))

        // Both sign in with what they were given (the stored hash has the production iteration count).
        let signedIn = try await withPool { pool in
            let users = UserStore(pool: pool)
            return [
                try await users.signIn(email: "ann@charter.example", password: password, remoteAddress: nil),
                try await users.signIn(
                    email: "pat@wirral.example", password: "another long passphrase", remoteAddress: nil),
            ]
        }
        for (index, result) in signedIn.enumerated() {
            guard case .signedIn = result else {
                Issue.record("sign-in \(index) refused: \(result)")
                continue
            }
        }
        #expect(try await count("SELECT count(*) FROM users WHERE password_hash LIKE 'pbkdf2-sha256$600000$%'") == 2)

        let listed = try await run(["user", "list", "--format", "json"])
        #expect(listed.status == 0)
        #expect(
            try jsonList(listed.stdout).map { $0["email"] as? String } == ["ann@charter.example", "pat@wirral.example"])
        #expect(!listed.stdout.contains("pbkdf2"))

        let onTheCommandLine = try await run([
            "user", "add", "--email", "x@charter.example", "--name", "X", "--role", "admin", "--password", password,
        ])
        #expect(onTheCommandLine.status == 2)
        let empty = try await run(["user", "add", "--email", "x@charter.example", "--name", "X", "--role", "admin"])
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("no password was given: standard input is empty"))
        let short = try await run(
            ["user", "add", "--email", "x@charter.example", "--name", "X", "--role", "admin"],
            standardInput: "hunter2\n")
        #expect(short.status == 1)
        #expect(short.stderr == "Error: the password is too short: it needs at least 12 characters\n")
        #expect(try await count("SELECT count(*) FROM users") == 2)
        #expect(
            try await count(
                "SELECT count(*) FROM audit_log WHERE details::text LIKE '%horse%' OR details::text LIKE '%pbkdf2%'")
                == 0)
    }

    @Test func auditVerifyProvesTheChainAndNamesTheFirstBrokenRow() async throws {
        let employer = try await employer("Wirral Care Ltd")
        _ = try await run(["rep", "add", "--name", "Jo", "--email", "jo@unite.org", "--covers", "\(employer)"])
        _ = try await run(["token", "create", "--role", "admin"])
        let intact = try await run(["audit", "verify"])
        #expect(intact.status == 0, "\(intact.stderr)")
        #expect(intact.stdout.hasPrefix("audit chain intact: 3 rows\n"))

        let broken = try await withPool { pool in
            try await pool.withConnection { connection in
                let id = try await connection.query("SELECT id FROM audit_log WHERE action = 'rep.add'")[0]
                    .decode(Int64.self, at: 0)
                try await connection.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
                try await connection.execute("UPDATE audit_log SET actor = 'someone else' WHERE id = \(id)")
                try await connection.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
                return id
            }
        }
        let text = try await run(["audit", "verify"])
        #expect(text.status == 1)
        #expect(text.stderr.hasPrefix("audit chain broken: row \(broken): content altered"))
        let json = try await run(["audit", "verify", "--format", "json"])
        #expect(json.status == 1)
        let answer = try self.json(json.stdout)
        #expect(answer["intact"] as? Bool == false)
        let first = try #require(answer["first_break"] as? [String: Any])
        #expect(first["row_id"] as? Int == Int(broken))
        #expect(first["problem"] as? String == "content_altered")
    }

    @Test func auditVerifyProvesAHeadPublishedEarlierIsStillInTheChain() async throws {
        let employer = try await employer("Wirral Care Ltd")
        let first = try await run(["audit", "verify"])
        #expect(first.status == 0, "\(first.stderr)")
        let head = try #require(first.stdout.firstMatch(of: #/head: ([0-9a-f]{64})\n/#).map { String($0.1) })
        _ = try await run(["rep", "add", "--name", "Jo", "--email", "jo@unite.org", "--covers", "\(employer)"])

        let published = try await run(["audit", "verify", "--head", head])
        #expect(published.status == 0, "\(published.stderr)")
        #expect(published.stdout.hasPrefix("audit chain intact: 2 rows\n"), "\(published.stdout)")
        let firstRow = try await count("SELECT min(id) FROM audit_log")
        #expect(published.stdout.contains("published head is in the chain: row \(firstRow), the chain's row 1\n"))
        let json = try self.json(
            try await run(["audit", "verify", "--head", head.uppercased(), "--format", "json"]).stdout)
        #expect(json["intact"] as? Bool == true)
        #expect((json["published_head"] as? [String: Any])?["row_id"] as? Int == firstRow)

        let stranger = String(repeating: "ab", count: 32)
        let missing = try await run(["audit", "verify", "--head", stranger])
        #expect(missing.status == 1)
        #expect(
            missing.stderr.hasPrefix("audit chain broken: the published head \(stranger) is not in the chain"),
            "\(missing.stderr)")
        let malformed = try await run(["audit", "verify", "--head", "0123"])
        #expect(malformed.status == 2)
        #expect(malformed.stderr.contains("--head must be a chain head as the weekly summary prints it: 64 hex digits"))
    }

    /// With an external database the key must be given: without it, or with another, no change is made
    /// (every change is audited) and nothing is proved; reading still works.
    @Test func withoutTheChainsKeyNothingIsRecordedAndNothingIsProved() async throws {
        _ = try await employer("Wirral Care Ltd")
        let keyless = ["CHARTERD_AUDIT_KEY": ""]
        let unrecorded = try await run(["employer", "add", "--name", "Sefton Ltd"], environment: keyless)
        #expect(unrecorded.status == 1)
        #expect(
            unrecorded.stderr.contains(
                "no audit key is set, so no change can be recorded in the audit chain: set CHARTERD_AUDIT_KEY"),
            "\(unrecorded.stderr)")
        let unproved = try await run(["audit", "verify"], environment: keyless)
        #expect(unproved.status == 1)
        #expect(
            unproved.stderr.contains(
                "CHARTERD_AUDIT_KEY is not set: with CHARTERD_DATABASE_URL the audit chain's key must be given"),
            "\(unproved.stderr)")
        let listed = try await run(["employer", "list", "--format", "json"], environment: keyless)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(try jsonList(listed.stdout).count == 1)

        let otherKey = ["CHARTERD_AUDIT_KEY": AuditKey.random().hex]
        let refused = try await run(["employer", "add", "--name", "Sefton Ltd"], environment: otherKey)
        #expect(refused.status == 1)
        #expect(
            refused.stderr.contains("CHARTERD_AUDIT_KEY is not the key this database's audit chain is written with"),
            "\(refused.stderr)")
        let wrong = try await run(["audit", "verify"], environment: otherKey)
        #expect(wrong.status == 1)
        #expect(wrong.stderr.hasPrefix("audit chain cannot be verified: wrong key: "), "\(wrong.stderr)")
        #expect(try await count("SELECT count(*) FROM employers") == 1)
        #expect(try await count("SELECT count(*) FROM audit_log") == 1)
        #expect(try await run(["audit", "verify"]).status == 0)
    }
}

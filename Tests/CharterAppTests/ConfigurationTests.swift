import CharterApp
import CharterStore
import Foundation
import PGClient
import TestSupport
import Testing

@Suite("Settings from the environment and the config file", .timeLimit(.minutes(10)))
struct ConfigurationTests {
    @Test func defaultsMatchTheSpec() throws {
        let configuration = try CharterConfiguration.load(environment: [:])
        #expect(configuration.databaseURL == nil)
        #expect(configuration.stateDirectory.lastPathComponent == ".charterd")
        #expect(configuration.httpHost == "127.0.0.1")
        #expect(configuration.httpPort == 8080)
        #expect(configuration.publicURL == "http://127.0.0.1:8080")
        #expect(configuration.mailTransport == .eml)
        #expect(configuration.mailFrom == "charter@localhost")
    }

    @Test func theEnvironmentWinsOverTheFile() throws {
        let file = try temporaryFile(
            """
            # production settings
            CHARTERD_HTTP_PORT=9090
            CHARTERD_PUBLIC_URL="https://charter.example.gov.uk"
            CHARTERD_MAIL_FROM=charter@example.gov.uk
            """)
        let configuration = try CharterConfiguration.load(environment: [
            "CHARTERD_CONFIG": file, "CHARTERD_HTTP_PORT": "0",
        ])
        #expect(configuration.httpPort == 0)
        #expect(configuration.publicURL == "https://charter.example.gov.uk")
        #expect(configuration.mailFrom == "charter@example.gov.uk")
    }

    @Test func aTypoInTheFileIsRefusedWithItsLine() throws {
        let file = try temporaryFile("CHARTERD_HTTP_PORT=8081\nCHARTERD_HTTP_PROT=8082\n")
        let error = #expect(throws: ConfigurationError.self) {
            try CharterConfiguration.load(environment: ["CHARTERD_CONFIG": file])
        }
        #expect(error?.description.contains("line 2") == true)
        #expect(error?.description.contains("CHARTERD_HTTP_PROT") == true)
    }

    @Test func badValuesAreNamedWithTheirSource() throws {
        let port = #expect(throws: ConfigurationError.self) {
            try CharterConfiguration.load(environment: ["CHARTERD_HTTP_PORT": "eighty"])
        }
        #expect(port?.description.contains("CHARTERD_HTTP_PORT") == true)
        #expect(port?.description.contains("the environment") == true)
        let transport = #expect(throws: ConfigurationError.self) {
            try CharterConfiguration.load(environment: ["CHARTERD_MAIL_TRANSPORT": "pigeon"])
        }
        #expect(transport?.description.contains("smtp, eml or none") == true)
        #expect(throws: ConfigurationError.self) {
            try CharterConfiguration.load(environment: ["CHARTERD_MAIL_TRANSPORT": "smtp"])
        }
    }

    @Test func secretsComeFromTheCredentialsDirectory() throws {
        let credentials = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: credentials) }
        try "smtps://charter:s3cret@mail.example.gov.uk:465\n".write(
            toFile: credentials + "/CHARTERD_SMTP_URL", atomically: true, encoding: .utf8)
        try "p@ss word/é'\\\r\n".write(
            toFile: credentials + "/CHARTERD_DATABASE_PASSWORD", atomically: true, encoding: .utf8)
        // A file that is not a secret setting is no credential of ours.
        try "9999\n".write(toFile: credentials + "/CHARTERD_HTTP_PORT", atomically: true, encoding: .utf8)

        let configuration = try CharterConfiguration.load(environment: [
            "CREDENTIALS_DIRECTORY": credentials, "CHARTERD_MAIL_TRANSPORT": "smtp",
            "CHARTERD_DATABASE_URL": "postgresql://charterd@db.internal/charterwatch?sslmode=verify-full",
        ])
        #expect(configuration.smtpURL == "smtps://charter:s3cret@mail.example.gov.uk:465")
        #expect(configuration.databasePassword == "p@ss word/é'\\")
        #expect(configuration.httpPort == 8080)
        #expect(
            configuration.databaseConninfo
                == "postgresql://charterd@db.internal/charterwatch?sslmode=verify-full&password=p%40ss%20word%2F%C3%A9%27%5C"
        )

        // Without CREDENTIALS_DIRECTORY the files are not looked for.
        let plain = try CharterConfiguration.load(environment: ["CHARTERD_MAIL_TRANSPORT": "eml"])
        #expect(plain.smtpURL == nil)
    }

    @Test func aSecretSetTwiceIsRefused() throws {
        let credentials = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: credentials) }
        try "smtp://relay.internal:587\n".write(
            toFile: credentials + "/CHARTERD_SMTP_URL", atomically: true, encoding: .utf8)
        let error = #expect(throws: ConfigurationError.self) {
            try CharterConfiguration.load(environment: [
                "CREDENTIALS_DIRECTORY": credentials, "CHARTERD_SMTP_URL": "smtp://other.internal:587",
            ])
        }
        #expect(error?.description.contains("CHARTERD_SMTP_URL is set both as a credential") == true)
        #expect(error?.description.contains("the environment") == true)
        #expect(error?.description.contains("other.internal") == false, "a secret is never repeated")
    }

    @Test func aDatabasePasswordNeedsADatabaseURL() {
        let error = #expect(throws: ConfigurationError.self) {
            try CharterConfiguration.load(environment: ["CHARTERD_DATABASE_PASSWORD": "secret"])
        }
        #expect(error?.description.contains("needs CHARTERD_DATABASE_URL") == true)
    }

    @Test func theAuditKeyIsASecretOfAtLeast32HexBytesNeverQuotedWhenRefused() throws {
        let short = String(TestAuditKey.hex.prefix(40))
        let tooShort = #expect(throws: ConfigurationError.self) {
            try CharterConfiguration.load(environment: ["CHARTERD_AUDIT_KEY": short])
        }
        #expect(
            tooShort?.description
                == "CHARTERD_AUDIT_KEY (from the environment) must be at least 64 hex digits (32 random bytes),"
                + " e.g. from `openssl rand -hex 32`; it has 40")
        let notHex = #expect(throws: ConfigurationError.self) {
            try CharterConfiguration.load(environment: ["CHARTERD_AUDIT_KEY": "k3y-" + TestAuditKey.hex])
        }
        #expect(notHex?.description.contains("character 1 is not a hex digit") == true)
        #expect(notHex?.description.contains(TestAuditKey.hex) == false, "a secret is never repeated")
        #expect(tooShort?.description.contains(short) == false, "a secret is never repeated")

        // As a credential, with the line break `openssl rand -hex 32 >file` leaves.
        let credentials = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: credentials) }
        try (TestAuditKey.hex + "\n").write(
            toFile: credentials + "/CHARTERD_AUDIT_KEY", atomically: true, encoding: .utf8)
        let configuration = try CharterConfiguration.load(environment: ["CREDENTIALS_DIRECTORY": credentials])
        let expected = try AuditKey(hex: TestAuditKey.hex)
        #expect(configuration.auditKey == expected)
        #expect(configuration.auditKey?.description.contains(TestAuditKey.hex) == false)
        let twice = #expect(throws: ConfigurationError.self) {
            try CharterConfiguration.load(environment: [
                "CREDENTIALS_DIRECTORY": credentials, "CHARTERD_AUDIT_KEY": TestAuditKey.hex,
            ])
        }
        #expect(twice?.description.contains("CHARTERD_AUDIT_KEY is set both as a credential") == true)
    }

    @Test func theEmbeddedDefaultKeepsOneAuditKeyInTheStateDirectory() throws {
        var configuration = CharterConfiguration()
        configuration.stateDirectory = URL(fileURLWithPath: try temporaryDirectory()).appending(path: "state")
        defer { try? FileManager.default.removeItem(at: configuration.stateDirectory.deletingLastPathComponent()) }
        // An external database and no setting: no key is made up (charterd then refuses to start).
        #expect(try configuration.resolveAuditKey(embedded: false) == nil)
        #expect(!FileManager.default.fileExists(atPath: configuration.auditKeyFile.path))

        let made = try #require(try configuration.resolveAuditKey(embedded: true))
        let attributes = try FileManager.default.attributesOfItem(atPath: configuration.auditKeyFile.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        // charterctl on the same state directory, or charterd's next start, finds the same key.
        #expect(try configuration.resolveAuditKey(embedded: true) == made)
        let text = try String(contentsOf: configuration.auditKeyFile, encoding: .utf8)
        #expect(try AuditKey(hex: text) == made)
        #expect(text.count == 65)

        // The setting wins over the file.
        configuration.auditKey = try AuditKey(hex: TestAuditKey.hex)
        #expect(try configuration.resolveAuditKey(embedded: true) == configuration.auditKey)
    }

    /// libpq itself reads the password added to a key=value conninfo, quotes and backslashes included.
    @Test func thePasswordJoinsAConninfoLibpqAccepts() async throws {
        let conninfo = try await TestCluster.freshDatabase("config")
        let credentials = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: credentials) }
        try "it's a \\ test\n".write(
            toFile: credentials + "/CHARTERD_DATABASE_PASSWORD", atomically: true, encoding: .utf8)
        let configuration = try CharterConfiguration.load(environment: [
            "CREDENTIALS_DIRECTORY": credentials, "CHARTERD_DATABASE_URL": conninfo,
        ])
        let merged = try #require(configuration.databaseConninfo)
        #expect(merged.hasSuffix(#" password='it\'s a \\ test'"#))
        // The test cluster trusts its socket, so the password is parsed but not needed: a syntax
        // error in it would fail the connection.
        try await PGConnection.with(merged) { connection in
            let rows = try await connection.query("SELECT 1 AS one")
            #expect(try rows.first?.decode(Int.self, column: "one") == 1)
        }
    }

    func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appending(path: "credentials-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appending(path: "charterd-\(UUID().uuidString).env").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

import CharterApp
import Foundation
import Testing

@Suite("Settings from the environment and the config file")
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

    func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appending(path: "charterd-\(UUID().uuidString).env").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

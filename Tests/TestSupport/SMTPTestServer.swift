import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A real aiosmtpd server run from `smtp_server.py` for one test, on a free loopback port.
///
/// The script prints its port once it listens; the test watches its output for that line rather than sleeping
/// for a guessed time. Everything the server received ends up in ``deliveries()``.
public final class SMTPTestServer {
    /// The test user and password the script accepts; the password has characters that need percent-encoding.
    public static let username = "charter"
    public static let password = "p@ss:w/rd%"

    /// What the server recorded for one delivered message.
    public struct Delivery: Decodable, Sendable {
        public var mail_from: String
        public var rcpt_tos: [String]
        public var content: String
        public var tls: Bool
        public var auth_mechanism: String?
        /// The client's address and port: the same for messages sent over one connection.
        public var peer: String

        public var bytes: [UInt8] { Array(Data(base64Encoded: self.content)!) }
    }

    public let port: Int
    private let process: SpawnedProcess
    private let directory: URL

    private init(port: Int, process: SpawnedProcess, directory: URL) {
        self.port = port
        self.process = process
        self.directory = directory
    }

    /// Starts the server with the script's extra `arguments`, runs `body`, stops the server.
    public static func with<Result>(
        _ arguments: [String] = [],
        _ body: (SMTPTestServer) async throws -> Result
    ) async throws -> Result {
        let server = try await Self.start(arguments)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Starts the server with the script's extra `arguments` (e.g. `["--port", "2525"]` to come back on
    /// the port a stopped server had); `stop()` it when done.
    ///
    /// The port line is awaited for at most 30 seconds, and only while the script runs: a server that
    /// cannot start fails the test with its log rather than hanging the run.
    public static func start(_ arguments: [String]) async throws -> SMTPTestServer {
        let certificate = TestCertificate.shared
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "smtp_server.py")
        let process = try SpawnedProcess(
            "/usr/bin/env",
            [
                "python3", script.path, "--log", directory.appendingPathComponent("deliveries.jsonl").path,
                "--cert", certificate.certificatePath, "--key", certificate.keyPath,
            ] + arguments,
            environment: ProcessInfo.processInfo.environment)
        // The first whole line on standard output (stderr has the server's own log).
        let firstLine = try await process.watchOutput(within: .seconds(120)) { () -> Substring? in
            let output = process.standardOutput
            return output.firstIndex(of: "\n").map { output[..<$0] }
        }
        if let port = firstLine.flatMap({ Int($0) }) {
            return SMTPTestServer(port: port, process: process, directory: directory)
        }
        process.signal(SIGKILL)
        try? FileManager.default.removeItem(at: directory)
        throw TestServerError(
            message:
                "smtp_server.py did not print its port within 30 s:\n\(process.standardOutput)\(process.standardError)")
    }

    /// The messages the server accepted so far, in order.
    public func deliveries() throws -> [Delivery] {
        let url = self.directory.appendingPathComponent("deliveries.jsonl")
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Delivery.self, from: Data($0.utf8)) }
    }

    /// Kills the server, waits until it has exited (so its port is free again), and removes what it recorded.
    ///
    /// SIGKILL rather than SIGTERM: a child of the test runner may inherit a mask that blocks SIGTERM.
    public func stop() async {
        process.signal(SIGKILL)
        _ = try? await process.exitStatus(within: .seconds(30))
        try? FileManager.default.removeItem(at: directory)
    }
}

public struct TestServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { self.message }
    public init(message: String) { self.message = message }
}

import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A real aiosmtpd server run from `smtp_server.py` for one test, on a free loopback port.
///
/// The script prints its port once it listens; the test reads that line rather than sleeping. Everything the
/// server received ends up in ``deliveries()``.
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
    private let process: Process
    private let directory: URL

    private init(port: Int, process: Process, directory: URL) {
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
        defer { server.stop() }
        return try await body(server)
    }

    /// Starts the server with the script's extra `arguments` (e.g. `["--port", "2525"]` to come back on
    /// the port a stopped server had); `stop()` it when done.
    public static func start(_ arguments: [String]) async throws -> SMTPTestServer {
        let certificate = TestCertificate.shared
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "smtp_server.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            [
                "python3", script.path, "--log", directory.appendingPathComponent("deliveries.jsonl").path,
                "--cert", certificate.certificatePath, "--key", certificate.keyPath,
            ] + arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        let serverLog = directory.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: serverLog.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: serverLog)
        try process.run()
        let line = try await Self.readLine(stdout.fileHandleForReading)
        guard let port = Int(line) else {
            kill(process.processIdentifier, SIGKILL)
            let log = (try? String(contentsOf: serverLog, encoding: .utf8)) ?? ""
            throw TestServerError(message: "smtp_server.py did not print its port: \(line)\n\(log)")
        }
        return SMTPTestServer(port: port, process: process, directory: directory)
    }

    /// The messages the server accepted so far, in order.
    public func deliveries() throws -> [Delivery] {
        let url = self.directory.appendingPathComponent("deliveries.jsonl")
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Delivery.self, from: Data($0.utf8)) }
    }

    /// Kills the server and removes what it recorded.
    public func stop() {
        // SIGKILL, not terminate()'s SIGTERM: a child of the test runner may inherit a mask that blocks SIGTERM,
        // and waiting for a process that never exits would hang the whole run.
        kill(self.process.processIdentifier, SIGKILL)
        self.process.waitUntilExit()
        try? FileManager.default.removeItem(at: self.directory)
    }

    /// Reads one line on a thread of its own: `FileHandle` reads block, and the cooperative pool has only as many
    /// threads as cores.
    private static func readLine(_ handle: FileHandle) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                var bytes: [UInt8] = []
                while true {
                    let data = handle.readData(ofLength: 1)
                    guard let byte = data.first else { break }
                    if byte == UInt8(ascii: "\n") { break }
                    bytes.append(byte)
                }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }
        }
    }
}

public struct TestServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { self.message }
    public init(message: String) { self.message = message }
}

import Foundation

/// Python's `email` package with the strict policy, as an independent reader of the messages we build:
/// `parse_strict.py` prints, as JSON, what it found in each message (headers, parts, defects).
public enum StrictMailParser {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("parse_strict.py")

    /// Writes the messages as .eml files in a temporary directory and reads them back in one python3 run,
    /// decoding the script's view of each into `Parsed`.
    public static func parse<Parsed: Decodable>(_ messages: [[UInt8]], as: Parsed.Type = Parsed.self) async throws
        -> [Parsed]
    {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("strict-mail-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        for (index, bytes) in messages.enumerated() {
            let file = directory.appendingPathComponent("\(index).eml")
            try Data(bytes).write(to: file)
            paths.append(file.path)
        }
        let process = try SpawnedProcess(
            "/usr/bin/env", ["python3", script.path] + paths, environment: ProcessInfo.processInfo.environment)
        let status = try await process.exitStatus(within: .seconds(60))
        guard status == 0 else {
            throw TestServerError(message: "parse_strict.py exited with \(status):\n\(process.standardError)")
        }
        return try JSONDecoder().decode([Parsed].self, from: Data(process.standardOutput.utf8))
    }
}

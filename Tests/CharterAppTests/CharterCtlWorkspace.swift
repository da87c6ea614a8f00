import Foundation
import TestSupport
import Testing

/// A migrated database and a scratch folder of files, for a suite that runs `charterctl` against them as a
/// payroll clerk or the charter team would.
struct CharterCtlWorkspace {
    let conninfo: String
    let environment: [String: String]
    let directory: URL

    /// A fresh database named after `label`, a copy of the migrated schema on which `charterctl migrate`
    /// then finds nothing to apply (migrating from empty is `CharterCtlTests`' business).
    init(_ label: String) async throws {
        conninfo = try await TestCluster.migratedDatabase(label)
        environment = ["CHARTERD_DATABASE_URL": conninfo]
        directory = FileManager.default.temporaryDirectory.appending(path: "\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let migrated = try await run(["migrate"])
        #expect(migrated.status == 0, "\(migrated.stderr)")
    }

    func run(_ arguments: [String]) async throws -> CharterCtlTests.Outcome {
        try await CharterCtlTests().charterctl(arguments, environment: environment)
    }

    /// Writes `text` to a file of the workspace and returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appending(path: name)
        try Data(text.utf8).write(to: url)
        return url.path
    }
}

import Foundation
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// Runs a short-lived program (initdb, pg_ctl) and collects its exit status and output.
///
/// swift-subprocess starts it in `/` (so the server account never trips over a working directory it
/// cannot read) and awaits its exit without holding a thread of the cooperative pool. Its output,
/// standard error merged in, goes to a temporary file rather than a pipe: a daemon the program leaves
/// behind (pg_ctl's postmaster) then holds no pipe of ours open, and a chatty child cannot fill one.
enum ChildProcess {
    static func run(_ argv: [String], environment: [String: String]) async throws -> (status: Int32, output: String) {
        let outputPath = FileManager.default.temporaryDirectory
            .appending(path: "charterd-child-\(UUID().uuidString).log").path
        defer { unlink(outputPath) }
        let output = try FileDescriptor.open(
            FilePath(outputPath), .writeOnly, options: [.create, .truncate],
            permissions: [.ownerReadWrite, .groupRead, .otherRead])
        let result: ExecutionResult<Void, FileDescriptorOutput, CombinedErrorOutput>
        do {
            result = try await Subprocess.run(
                .path(FilePath(argv[0])), arguments: Arguments(Array(argv.dropFirst())),
                environment: .custom(
                    Dictionary(
                        uniqueKeysWithValues: environment.compactMap { name, value in
                            Environment.Key(rawValue: name).map { ($0, value) }
                        })),
                workingDirectory: FilePath("/"), input: .none,
                output: .fileDescriptor(output, closeAfterSpawningProcess: true), error: .combinedWithOutput)
        } catch let error as SubprocessError {
            throw EmbeddedPostgresError(.commandFailed, "could not start \(argv[0]): \(error)")
        }
        let status: Int32
        switch result.terminationStatus {
        case .exited(let code): status = code
        case .signaled(let signal): status = 128 + signal
        }
        return (status, (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "")
    }
}

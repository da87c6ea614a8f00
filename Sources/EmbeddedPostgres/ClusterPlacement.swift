import Crypto
import Foundation

/// Where a cluster's files live: in its own directory, or in a directory of the server account's.
///
/// Normally the cluster is the `directory` handed to ``EmbeddedPostgres`` (`$CHARTERD_STATE_DIR/postgres`).
/// As root the server runs as `postgres`, and `postgres` may be unable to reach that directory: a
/// checkout in root's home (0700 on Debian), or anywhere under a private directory. We do not loosen
/// anyone's permissions to let it in; the cluster lives instead in `<postgres's home>/charterwatch/<id>`
/// (0700, postgres's), where `<id>` is a short SHA-256 of the directory's path, and a one-line file
/// `location` in the directory says where, so every later start, adoption and stop finds it. Only
/// `postgres` and root can pass the 0700 directories, which is what guards the socket's trust
/// authentication, as the directory's own 0700 does when the cluster lives in place.
struct ClusterPlacement: Sendable, Equatable {
    /// The directory holding `data/` (the cluster), `run/` (the socket) and `postgres.log`.
    var home: URL
    /// Whether `home` lies outside the directory, named by its `location` file.
    var isRelocated: Bool

    var dataDirectory: URL { home.appending(path: "data") }
    var socketDirectory: URL { home.appending(path: "run") }
    var logFile: URL { home.appending(path: "postgres.log") }

    /// The file in the cluster's directory that names the directory it was moved to.
    static let recordName = "location"
    /// The folder under the server account's home holding the clusters moved there.
    static let relocationFolder = "charterwatch"

    /// The cluster living in `directory` itself.
    static func inPlace(_ directory: URL) -> ClusterPlacement {
        ClusterPlacement(home: directory, isRelocated: false)
    }

    /// Where the cluster of `directory` (an absolute path with symbolic links resolved) lives when moved
    /// under `accountHome`: one folder per directory, so two checkouts never share a cluster.
    static func relocatedHome(for directory: String, accountHome: String) -> URL {
        let digest = SHA256.hash(data: Data(directory.utf8))
        let id = digest.prefix(8).map { String(format: "%02x", $0) }.joined()
        return URL(fileURLWithPath: accountHome).appending(path: relocationFolder).appending(path: id)
    }

    /// What the `location` file in `directory` says, if there is one.
    static func record(in directory: URL) -> String? {
        guard let text = try? String(contentsOf: directory.appending(path: recordName), encoding: .utf8) else {
            return nil
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The text of the `location` file naming `home`.
    static func recordText(naming home: URL) -> String { home.path + "\n" }

    /// What to do with a cluster, decided from what is on disk.
    enum Choice: Sendable, Equatable {
        /// Keep (or create) the cluster in its directory.
        case inPlace
        /// Keep (or create) it in the server account's home.
        case relocated
        /// A cluster already in its directory that the server account cannot reach (the named directory
        /// on the way is closed to it).
        case unreachable(closedDirectory: String)
    }

    /// Where the cluster goes.
    ///
    /// - Parameters:
    ///   - serverIsAnotherAccount: the server runs as an account other than ours (we are root).
    ///   - recorded: the directory's `location` file names the cluster's relocated home.
    ///   - clusterInPlace: a cluster already exists in the directory.
    ///   - closedDirectory: the first directory on the way to the cluster's directory the server account
    ///     may not pass, nil when it reaches it.
    static func choose(
        serverIsAnotherAccount: Bool, recorded: Bool, clusterInPlace: Bool, closedDirectory: String?
    ) -> Choice {
        // A cluster once moved stays where it is, even if the way to the directory opens later.
        if recorded { return .relocated }
        // We run the server ourselves: the directory is ours to use.
        guard serverIsAnotherAccount else { return .inPlace }
        guard let closedDirectory else { return .inPlace }
        // A cluster's data is never moved behind anyone's back.
        return clusterInPlace ? .unreachable(closedDirectory: closedDirectory) : .relocated
    }
}

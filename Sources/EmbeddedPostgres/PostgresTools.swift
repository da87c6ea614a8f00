import Foundation

/// Where the PostgreSQL server programs are.
struct PostgresTools: Sendable {
    var binDirectory: URL
    var initdb: URL { binDirectory.appending(path: "initdb") }
    var pgCtl: URL { binDirectory.appending(path: "pg_ctl") }
    var createdb: URL { binDirectory.appending(path: "createdb") }

    /// `CHARTERD_PG_BINDIR` if set, else the newest `/usr/lib/postgresql/N/bin` (Debian's layout).
    static func locate(
        explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> PostgresTools {
        let manager = FileManager.default
        var candidates: [URL] = []
        if let explicit = explicit ?? environment["CHARTERD_PG_BINDIR"], !explicit.isEmpty {
            candidates.append(URL(fileURLWithPath: explicit))
        } else {
            let root = URL(fileURLWithPath: "/usr/lib/postgresql")
            let versions = (try? manager.contentsOfDirectory(atPath: root.path)) ?? []
            for version in versions.compactMap(Int.init).sorted(by: >) {
                candidates.append(root.appending(path: "\(version)").appending(path: "bin"))
            }
        }
        for directory in candidates
        where manager.isExecutableFile(atPath: directory.appending(path: "initdb").path)
            && manager.isExecutableFile(atPath: directory.appending(path: "pg_ctl").path)
        {
            return PostgresTools(binDirectory: directory)
        }
        let searched = candidates.isEmpty ? "/usr/lib/postgresql/*/bin" : candidates.map(\.path).joined(separator: ", ")
        throw EmbeddedPostgresError(
            .binariesMissing,
            "PostgreSQL server programs (initdb, pg_ctl) were not found in \(searched):"
                + " install Debian's postgresql package (apt-get install postgresql), or set CHARTERD_DATABASE_URL")
    }
}

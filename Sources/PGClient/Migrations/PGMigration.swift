import Crypto
import Foundation

/// One versioned schema change: a SQL file `NNNN_name.sql`.
public struct PGMigration: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var sql: String

    /// The file name it came from, e.g. `0001_core.sql`.
    public var fileName: String

    /// SHA-256 of the file's text, hex: an applied migration whose text changes is refused.
    public var checksum: String {
        SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    public init(version: Int, name: String, sql: String, fileName: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.fileName = fileName
    }

    /// Parses `NNNN_name.sql`; nil for any other file name.
    public init?(fileName: String, sql: String) {
        guard fileName.hasSuffix(".sql") else { return nil }
        let stem = fileName.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]) else {
            return nil
        }
        self.init(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql, fileName: fileName)
    }
}

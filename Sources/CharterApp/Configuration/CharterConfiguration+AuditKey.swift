public import CharterStore
public import Foundation

extension CharterConfiguration {
    /// Where the embedded default keeps the audit key it made: `<state>/audit-key`, hex, mode 0600.
    public var auditKeyFile: URL { stateDirectory.appending(path: "audit-key") }

    /// The sentence charterd and charterctl give when an external database has no key to go with it.
    public static let auditKeyMissing =
        "CHARTERD_AUDIT_KEY is not set: with CHARTERD_DATABASE_URL the audit chain's key must be given, the same"
        + " to charterd and charterctl (64 hex digits, e.g. from `openssl rand -hex 32`, best as a credential;"
        + " see deploy/README.md)"

    /// The key the audit chain is written and verified with.
    ///
    /// `CHARTERD_AUDIT_KEY` when set. Otherwise, with the embedded cluster (`embedded`), the one kept in
    /// `auditKeyFile`, made the first time from 32 random bytes: the embedded default works with no
    /// setting, as the rest of it does, and charterd and charterctl on the same state directory find the
    /// same key. With an external database, nil: a key made up there would be one process's own — a
    /// second instance or a charterctl elsewhere would make another — so the operator must give it.
    public func resolveAuditKey(embedded: Bool) throws -> AuditKey? {
        if let auditKey { return auditKey }
        guard embedded else { return nil }
        return try Self.keptAuditKey(at: auditKeyFile)
    }

    /// Reads the key file, first making it if it does not exist.
    ///
    /// Made under a temporary name and linked into place, so a charterd and a charterctl starting at
    /// the same moment never read half a file, and both end up with whichever key was linked first.
    private static func keptAuditKey(at file: URL) throws -> AuditKey {
        let path = file.path
        if !FileManager.default.fileExists(atPath: path) {
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            let temporary = path + ".\(getpid()).tmp"
            unlink(temporary)
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard descriptor >= 0 else {
                throw ConfigurationError("the audit key file \(temporary) cannot be created: \(Self.errnoText())")
            }
            let text = Array((AuditKey.random().hex + "\n").utf8)
            let written = text.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            let synced = fsync(descriptor) == 0
            close(descriptor)
            defer { unlink(temporary) }
            guard written == text.count, synced else {
                throw ConfigurationError("the audit key file \(temporary) cannot be written: \(Self.errnoText())")
            }
            guard link(temporary, path) == 0 || errno == EEXIST else {
                throw ConfigurationError("the audit key file \(path) cannot be created: \(Self.errnoText())")
            }
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("the audit key file \(path) cannot be read")
        }
        do {
            return try AuditKey(hex: String(decoding: data, as: UTF8.self))
        } catch let error as CharterStoreError {
            throw ConfigurationError("the audit key file \(path) \(error.message)")
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}

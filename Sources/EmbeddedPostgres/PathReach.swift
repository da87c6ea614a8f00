#if canImport(Glibc)
    import Glibc
#endif

/// Whether an account may pass through every directory on the way to a path.
///
/// When charterd runs as root the server runs as `postgres`, which must pass (search, `x`) every
/// directory from `/` down to its cluster. A checkout in root's home (0700 on Debian) fails that
/// test; we find out beforehand, from the permission bits, instead of letting initdb fail with
/// "Permission denied". ACLs are not read: an ACL that would let the account through only makes
/// the answer cautious (the cluster then lives elsewhere), never wrong in a way that breaks start-up.
struct PathReach: Sendable {
    /// Who is asking: a user id and every group id it holds (primary and supplementary).
    struct Identity: Sendable, Equatable {
        var uid: uid_t
        var gids: [gid_t]
    }

    /// What the check needs to know of one directory on the way.
    struct Entry: Sendable, Equatable {
        var uid: uid_t
        var gid: gid_t
        /// Permission bits (`st_mode & 0o7777`).
        var mode: mode_t
        var isDirectory: Bool
    }

    /// The first directory, from `/` down to and including `path` (absolute, without `..`), that
    /// `identity` may not pass; nil when it may pass every one. A missing or unreadable entry counts
    /// as closed: the cluster must never depend on a directory whose permissions we could not see.
    static func firstClosedDirectory(
        to path: String, for identity: Identity, lookUp: (String) -> Entry?
    ) -> String? {
        var prefix = ""
        for component in [""] + path.split(separator: "/").map(String.init) {
            prefix = component.isEmpty ? "/" : (prefix == "/" ? "/" : prefix + "/") + component
            guard let entry = lookUp(prefix), entry.isDirectory, mayPass(entry, identity) else { return prefix }
        }
        return nil
    }

    /// Search permission as the kernel decides it without ACLs: the owner's bits for the owner,
    /// else the group's bits for a member, else everyone else's.
    static func mayPass(_ entry: Entry, _ identity: Identity) -> Bool {
        if identity.uid == 0 { return true }
        if entry.uid == identity.uid { return entry.mode & 0o100 != 0 }
        if identity.gids.contains(entry.gid) { return entry.mode & 0o010 != 0 }
        return entry.mode & 0o001 != 0
    }

    /// The live file system's answer for `path` (following symbolic links, as path lookup does).
    static func onDisk(_ path: String) -> Entry? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Entry(
            uid: info.st_uid, gid: info.st_gid, mode: info.st_mode & 0o7777,
            isDirectory: info.st_mode & S_IFMT == S_IFDIR)
    }
}

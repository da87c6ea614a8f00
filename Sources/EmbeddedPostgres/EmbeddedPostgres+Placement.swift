import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

extension EmbeddedPostgres {
    /// Decides where the cluster lives, records it, and makes its directories the server account's (0700).
    ///
    /// Nobody's permissions are loosened: when the server account cannot pass a directory on the way
    /// to ours, the cluster moves to a directory of that account's (``ClusterPlacement``).
    func settlePlacement(account: ServerAccount) throws -> ClusterPlacement {
        let manager = FileManager.default
        let parent = directory.deletingLastPathComponent()
        do {
            try manager.createDirectory(at: parent, withIntermediateDirectories: true, attributes: nil)
        } catch {
            throw EmbeddedPostgresError(
                .stateDirectory, "could not create the state directory \(parent.path): \(error.localizedDescription)")
        }
        let current = placement
        let choice = ClusterPlacement.choose(
            serverIsAnotherAccount: account.owner != nil, recorded: current.isRelocated,
            clusterInPlace: manager.fileExists(atPath: directory.appending(path: "data/PG_VERSION").path),
            closedDirectory: account.owner?.firstClosedDirectory(to: parent.path))
        let cluster: ClusterPlacement
        switch choice {
        case .inPlace:
            cluster = .inPlace(directory)
            try checkSocketPath(cluster)
            let directoryFD = try claimDirectory(directory.path, in: AT_FDCWD, for: account.owner, followingLink: true)
            defer { close(directoryFD) }
            try claimContents(of: cluster, in: directoryFD, for: account.owner)
            // A location file left by a state directory this one was copied from means nothing here.
            unlink(directory.appending(path: ClusterPlacement.recordName).path)
        case .relocated:
            guard let owner = account.owner else {
                throw EmbeddedPostgresError(
                    .stateDirectory,
                    "the cluster of \(directory.path) lives in \(current.home.path), made for the postgres account"
                        + " when charterd ran as root: run it as root again, or set CHARTERD_STATE_DIR to another"
                        + " directory")
            }
            cluster = ClusterPlacement(home: relocatedHome(for: owner), isRelocated: true)
            try checkSocketPath(cluster)
            try relocate(to: cluster, owner: owner, alreadyRecorded: current.isRelocated)
        case .unreachable(let closed):
            throw EmbeddedPostgresError(
                .stateDirectory,
                "the postgres account that runs the embedded server as root cannot pass \(closed) to reach the"
                    + " cluster in \(directory.path): move the state directory out of \(closed) and point"
                    + " CHARTERD_STATE_DIR at it")
        }
        return cluster
    }

    /// Makes `cluster.home` (under the server account's home) ready and writes the `location` file naming it.
    private func relocate(to cluster: ClusterPlacement, owner: ServerAccount.Owner, alreadyRecorded: Bool) throws {
        let accountHome = owner.home
        let closed = owner.firstClosedDirectory(to: accountHome)
        let homeFD = open(accountHome, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { if homeFD >= 0 { close(homeFD) } }
        var info = stat()
        // Only root and the account itself may write there, or someone else could swap our folder for theirs.
        guard closed == nil, homeFD >= 0, fstat(homeFD, &info) == 0,
            info.st_uid == 0 || info.st_uid == owner.uid, info.st_mode & 0o022 == 0
        else {
            throw EmbeddedPostgresError(
                .stateDirectory,
                "the postgres account cannot reach \(directory.path), and its own home \(accountHome) is missing,"
                    + " closed to it or writable by others, so there is nowhere safe to keep the cluster: set"
                    + " CHARTERD_STATE_DIR to a directory outside any private one (e.g. /var/lib/charterwatch)")
        }
        let folderFD = try claimDirectory(
            ClusterPlacement.relocationFolder, in: homeFD, shownAs: cluster.home.deletingLastPathComponent().path,
            for: owner)
        defer { close(folderFD) }
        let id = cluster.home.lastPathComponent
        if !alreadyRecorded {
            if let record = ClusterPlacement.record(in: directory) {
                logger.warning(
                    "the state directory was moved or copied: the cluster its location file named stays in \(record)",
                    metadata: ["cluster": "\(cluster.home.path)"])
            }
            // Nothing records this folder, so what is in it was left by an earlier state directory at this
            // path, since deleted: it went with that directory, as a cluster kept in place would have.
            if faccessat(folderFD, id, F_OK, AT_SYMLINK_NOFOLLOW) == 0 {
                if let pid = runningServerPID(cluster) {
                    logger.info(
                        "adopting the embedded PostgreSQL left running by an earlier state directory at this path",
                        metadata: ["pid": "\(pid)", "cluster": "\(cluster.home.path)"])
                } else {
                    logger.warning(
                        "removing the cluster left by an earlier state directory at this path",
                        metadata: ["cluster": "\(cluster.home.path)"])
                    try? FileManager.default.removeItem(at: cluster.home)
                }
            }
        }
        let clusterFD = try claimDirectory(id, in: folderFD, shownAs: cluster.home.path, for: owner)
        defer { close(clusterFD) }
        try claimContents(of: cluster, in: clusterFD, for: owner)
        if !alreadyRecorded {
            // The state directory itself stays root's; it only holds the location file.
            let root = ServerAccount.Owner(
                name: "root", uid: geteuid(), gid: getegid(), home: "/", groups: [getegid()])
            let directoryFD = try claimDirectory(directory.path, in: AT_FDCWD, for: root, followingLink: true)
            close(directoryFD)
            do {
                try ClusterPlacement.recordText(naming: cluster.home).write(
                    to: directory.appending(path: ClusterPlacement.recordName), atomically: true, encoding: .utf8)
            } catch {
                throw EmbeddedPostgresError(
                    .stateDirectory,
                    "could not write \(directory.appending(path: ClusterPlacement.recordName).path): "
                        + error.localizedDescription)
            }
            logger.info(
                "the postgres account cannot reach the state directory, so the cluster lives in a directory of its own",
                metadata: ["cluster": "\(cluster.home.path)"])
        }
    }

    /// Claims `run/` (created if missing) and `data/` (if initdb made it already) inside the cluster's home.
    private func claimContents(of cluster: ClusterPlacement, in homeFD: Int32, for owner: ServerAccount.Owner?) throws {
        close(try claimDirectory("run", in: homeFD, shownAs: cluster.socketDirectory.path, for: owner))
        if faccessat(homeFD, "data", F_OK, AT_SYMLINK_NOFOLLOW) == 0 {
            close(try claimDirectory("data", in: homeFD, shownAs: cluster.dataDirectory.path, for: owner))
        }
    }

    /// Unix socket paths are limited to 107 bytes; say so before PostgreSQL fails obscurely.
    private func checkSocketPath(_ cluster: ClusterPlacement) throws {
        let socketPath = cluster.socketDirectory.appending(path: ".s.PGSQL.5432").path
        guard socketPath.utf8.count <= 107 else {
            throw EmbeddedPostgresError(
                .stateDirectory,
                "the state directory \(directory.path) is too deep for a Unix socket path"
                    + " (\(socketPath.utf8.count) bytes, at most 107); set CHARTERD_STATE_DIR to a shorter path")
        }
    }

    /// Opens the directory `name` in `parent` (a descriptor, or `AT_FDCWD` for a path), creating it if
    /// missing, and makes it `owner`'s (when set) with mode 0700; returns the descriptor.
    ///
    /// Inside a directory the server account owns, that account could put a symbolic link where we
    /// expect a directory, and root following it would hand the account whatever it points at; so a
    /// link is refused there, and the owner and mode are set on the opened directory itself.
    private func claimDirectory(
        _ name: String, in parent: Int32, shownAs path: String? = nil, for owner: ServerAccount.Owner?,
        followingLink: Bool = false
    ) throws -> Int32 {
        let shown = path ?? name
        if mkdirat(parent, name, 0o700) != 0 && errno != EEXIST {
            throw EmbeddedPostgresError(.stateDirectory, "could not create \(shown): \(errnoText())")
        }
        let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (followingLink ? 0 : O_NOFOLLOW))
        guard fd >= 0 else {
            throw EmbeddedPostgresError(
                .stateDirectory, "\(shown) is not a directory the cluster can use (\(errnoText())): remove it")
        }
        if let owner, fchown(fd, owner.uid, owner.gid) != 0 {
            let reason = errnoText()
            close(fd)
            throw EmbeddedPostgresError(
                .stateDirectory, "could not hand \(shown) to the \(owner.name) account: \(reason)")
        }
        _ = fchmod(fd, 0o700)
        return fd
    }
}

import Foundation
import Testing

@testable import EmbeddedPostgres

/// The account that runs the server as root must pass every directory down to its cluster; a private
/// directory on the way is found before initdb trips over it.
@Suite("Who may pass the directories on the way to a cluster")
struct PathReachTests {
    let postgres = PathReach.Identity(uid: 101, gids: [104])

    /// A tree like Debian's: `/` and `/srv` open, root's home private.
    func tree(_ overrides: [String: PathReach.Entry] = [:]) -> (String) -> PathReach.Entry? {
        let open = PathReach.Entry(uid: 0, gid: 0, mode: 0o755, isDirectory: true)
        var entries: [String: PathReach.Entry] = [
            "/": open, "/srv": open, "/srv/app": open, "/root": .init(uid: 0, gid: 0, mode: 0o700, isDirectory: true),
            "/root/app": open,
        ]
        entries.merge(overrides) { $1 }
        return { entries[$0] }
    }

    @Test func aCheckoutUnderRootsPrivateHomeIsClosedAtTheHome() {
        #expect(PathReach.firstClosedDirectory(to: "/root/app", for: postgres, lookUp: tree()) == "/root")
    }

    @Test func anOpenPathIsReachedAllTheWay() {
        #expect(PathReach.firstClosedDirectory(to: "/srv/app", for: postgres, lookUp: tree()) == nil)
        #expect(PathReach.firstClosedDirectory(to: "/", for: postgres, lookUp: tree()) == nil)
    }

    @Test func theOwnersGroupsAndEveryoneElsesBitsDecideInThatOrder() {
        // Owner: its own bits count, even when the group's or everyone's would let it through.
        let ownedClosed = tree(["/srv/app": .init(uid: 101, gid: 104, mode: 0o055, isDirectory: true)])
        #expect(PathReach.firstClosedDirectory(to: "/srv/app", for: postgres, lookUp: ownedClosed) == "/srv/app")
        // A member of the directory's group passes on the group's bits alone.
        let groupOpen = tree(["/srv": .init(uid: 0, gid: 104, mode: 0o710, isDirectory: true)])
        #expect(PathReach.firstClosedDirectory(to: "/srv/app", for: postgres, lookUp: groupOpen) == nil)
        // A supplementary group counts as well.
        let other = PathReach.Identity(uid: 101, gids: [104, 33])
        let supplementary = tree(["/srv": .init(uid: 0, gid: 33, mode: 0o710, isDirectory: true)])
        #expect(PathReach.firstClosedDirectory(to: "/srv/app", for: other, lookUp: supplementary) == nil)
        // Group bits closed for a member: everyone's bits do not rescue it.
        let groupClosed = tree(["/srv": .init(uid: 0, gid: 104, mode: 0o701, isDirectory: true)])
        #expect(PathReach.firstClosedDirectory(to: "/srv/app", for: postgres, lookUp: groupClosed) == "/srv")
        // Neither owner nor member: only the last bit (o+x) lets it through.
        let othersOnly = tree(["/root": .init(uid: 0, gid: 0, mode: 0o711, isDirectory: true)])
        #expect(PathReach.firstClosedDirectory(to: "/root/app", for: postgres, lookUp: othersOnly) == nil)
    }

    @Test func aMissingEntryOrAFileOnTheWayCountsAsClosed() {
        #expect(PathReach.firstClosedDirectory(to: "/srv/gone/app", for: postgres, lookUp: tree()) == "/srv/gone")
        let file = tree(["/srv/app": .init(uid: 0, gid: 0, mode: 0o755, isDirectory: false)])
        #expect(PathReach.firstClosedDirectory(to: "/srv/app", for: postgres, lookUp: file) == "/srv/app")
    }

    @Test func theLiveFileSystemAgreesForAPrivateDirectory() throws {
        let base = FileManager.default.temporaryDirectory.appending(path: "reach-\(UUID().uuidString.prefix(8))")
        let inner = base.appending(path: "inner")
        try FileManager.default.createDirectory(at: inner, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        #expect(chmod(base.path, 0o700) == 0)
        // Someone who is neither the owner nor in its group is stopped at the private directory.
        let stranger = PathReach.Identity(uid: 65_000, gids: [65_000])
        let closed = PathReach.firstClosedDirectory(to: inner.path, for: stranger, lookUp: PathReach.onDisk)
        #expect(closed == base.path)
        #expect(chmod(base.path, 0o711) == 0)
        #expect(PathReach.firstClosedDirectory(to: inner.path, for: stranger, lookUp: PathReach.onDisk) == nil)
    }
}

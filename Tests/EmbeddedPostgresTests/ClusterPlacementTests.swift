import Foundation
import Testing

@testable import EmbeddedPostgres

/// Where a cluster lives: in its state directory, or, when the server account cannot reach it, in
/// a private folder of that account's, found again through the state directory's `location` file.
@Suite("Where an embedded cluster lives")
struct ClusterPlacementTests {
    @Test func aRelocatedHomeIsAShortDigestOfTheStateDirectoryUnderTheAccountsHome() {
        let home = ClusterPlacement.relocatedHome(
            for: "/root/app/.charterd/postgres", accountHome: "/var/lib/postgresql")
        #expect(home.deletingLastPathComponent().path == "/var/lib/postgresql/charterwatch")
        #expect(home.lastPathComponent.count == 16)
        #expect(home.lastPathComponent.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        // The same directory always names the same home; two checkouts never share one.
        #expect(
            ClusterPlacement.relocatedHome(for: "/root/app/.charterd/postgres", accountHome: "/var/lib/postgresql")
                == home)
        #expect(
            ClusterPlacement.relocatedHome(for: "/root/app2/.charterd/postgres", accountHome: "/var/lib/postgresql")
                != home)
        // Short enough for the socket path's 107 bytes under Debian's home for postgres.
        let socket = ClusterPlacement(home: home, isRelocated: true).socketDirectory.appending(path: ".s.PGSQL.5432")
        #expect(socket.path.utf8.count < 80)
    }

    @Test func aServerRunAsOurselvesKeepsItsClusterInPlace() {
        let choice = ClusterPlacement.choose(
            serverIsAnotherAccount: false, recorded: false, clusterInPlace: false, closedDirectory: "/root")
        #expect(choice == .inPlace)
    }

    @Test func asRootAClusterGoesInPlaceWhenPostgresCanReachItAndMovesWhenItCannot() {
        #expect(
            ClusterPlacement.choose(
                serverIsAnotherAccount: true, recorded: false, clusterInPlace: false, closedDirectory: nil) == .inPlace)
        #expect(
            ClusterPlacement.choose(
                serverIsAnotherAccount: true, recorded: false, clusterInPlace: false, closedDirectory: "/root")
                == .relocated)
    }

    @Test func aMovedClusterStaysMovedAndAnExistingOneIsNeverMovedSilently() {
        // Opening the way later does not strand the cluster that already lives elsewhere.
        #expect(
            ClusterPlacement.choose(
                serverIsAnotherAccount: true, recorded: true, clusterInPlace: false, closedDirectory: nil)
                == .relocated)
        // A cluster already in place that postgres can no longer reach is reported, not replaced.
        #expect(
            ClusterPlacement.choose(
                serverIsAnotherAccount: true, recorded: false, clusterInPlace: true, closedDirectory: "/root")
                == .unreachable(closedDirectory: "/root"))
    }

    @Test func theLocationFileIsReadBackAsWritten() throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "place-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(ClusterPlacement.record(in: directory) == nil)
        let home = URL(fileURLWithPath: "/var/lib/postgresql/charterwatch/0123456789abcdef")
        try ClusterPlacement.recordText(naming: home).write(
            to: directory.appending(path: ClusterPlacement.recordName), atomically: true, encoding: .utf8)
        #expect(ClusterPlacement.record(in: directory) == home.path)
    }

    @Test func aClusterWithoutALocationFileLivesInItsDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "place-\(UUID().uuidString.prefix(8))")
        let cluster = EmbeddedPostgres(directory: directory)
        #expect(cluster.clusterDirectory == directory.standardizedFileURL)
        #expect(cluster.conninfo.contains("host='\(directory.standardizedFileURL.path)/run'"))
    }

    @Test func aLocationFileNamingAnyOtherPlaceIsIgnored() throws {
        // Root acts on what the file names (hands it to postgres, starts a server there): only the
        // one folder this directory's path digests to is believed.
        let directory = FileManager.default.temporaryDirectory.appending(path: "place-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "/etc\n".write(
            to: directory.appending(path: ClusterPlacement.recordName), atomically: true, encoding: .utf8)
        let cluster = EmbeddedPostgres(directory: directory)
        #expect(cluster.clusterDirectory == directory.standardizedFileURL)
    }

    @Test func theLocationFileNamingThisDirectorysOwnFolderIsBelieved() throws {
        let postgres = try #require(ServerAccount.postgres(), "Debian's postgresql package makes the postgres account")
        let directory = FileManager.default.temporaryDirectory.appending(path: "place-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cluster = EmbeddedPostgres(directory: directory)
        let home = cluster.relocatedHome(for: postgres)
        try ClusterPlacement.recordText(naming: home).write(
            to: directory.appending(path: ClusterPlacement.recordName), atomically: true, encoding: .utf8)
        #expect(cluster.clusterDirectory == home)
        #expect(cluster.conninfo.contains("host='\(home.path)/run'"))
    }
}

import Foundation

/// A file under `Tests/Fixtures` (copies of the samples in the shared fixtures, kept in the
/// repository so a clone alone can run the tests), found from this source file's place.
///
/// Symlinks are resolved first, so the path still leads to the fixtures when the tests are built
/// from a scratch package that links to this directory (as the fast domain-only build loop does).
func fixtureURL(_ name: String, filePath: String = #filePath) -> URL {
    URL(fileURLWithPath: filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent()  // CharterDomainTests
        .deletingLastPathComponent()  // Tests
        .appending(path: "Fixtures/\(name)")
}

import Foundation

/// A file under `/work/shared/fixtures`, found from this source file's place in the checkout.
///
/// Symlinks are resolved first, so the path still leads to the fixtures when the tests are built
/// from a scratch package that links to this directory (as the fast domain-only build loop does).
func fixtureURL(_ name: String, filePath: String = #filePath) -> URL {
    URL(fileURLWithPath: filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent()  // CharterDomainTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // the checkout
        .deletingLastPathComponent()  // the directory shared/ is in
        .appending(path: "shared/fixtures/\(name)")
}

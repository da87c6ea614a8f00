import Foundation
import Testing

/// docs/architecture.md draws the modules and what each depends on; Package.swift is what the build does.
/// A target added, removed or rewired in Package.swift without the picture changing fails here, so the
/// picture someone arriving reads is the one the compiler enforces.
@Suite("The architecture picture matches Package.swift")
struct ArchitecturePictureTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// One arrow of the picture: `from` names `to` among its dependencies (or its build plugins).
    struct Edge: Hashable, CustomStringConvertible {
        var from: String
        var to: String
        var description: String { "\(from) → \(to)" }
    }

    @Test func everyTargetOfPackageSwiftIsInThePictureWithItsDependencies() throws {
        let package = try Self.targetsInPackageSwift()
        let picture = try Self.modulesInThePicture()

        // Sanity: the parser found the package's targets, so an empty comparison cannot pass by accident.
        #expect(package.keys.contains("CharterDomain") && package.keys.contains("charterd"))
        #expect(package.count >= 20, "only \(package.count) targets read from Package.swift")

        for name in package.keys.sorted() where picture[name] == nil {
            Issue.record("Package.swift has the target \(name); docs/architecture.md's picture does not")
        }
        for name in picture.keys.sorted() where package[name] == nil {
            Issue.record("docs/architecture.md's picture has \(name); Package.swift has no such target")
        }

        let packageEdges = Set(package.flatMap { name, dependencies in dependencies.map { Edge(from: name, to: $0) } })
        let pictureEdges = Set(picture.flatMap { name, dependencies in dependencies.map { Edge(from: name, to: $0) } })
        for edge in packageEdges.subtracting(pictureEdges).sorted(by: { $0.description < $1.description }) {
            Issue.record("Package.swift has \(edge); docs/architecture.md's picture does not")
        }
        for edge in pictureEdges.subtracting(packageEdges).sorted(by: { $0.description < $1.description }) {
            Issue.record("docs/architecture.md's picture has \(edge); Package.swift does not")
        }
    }

    /// Each target of Package.swift with the targets of ours it names in `dependencies:` and `plugins:`.
    /// Read as text, simply: the file is split at every target declaration, products of other packages are
    /// dropped, and what is left in quotes inside those two lists is kept if it names one of our targets.
    static func targetsInPackageSwift() throws -> [String: Set<String>] {
        let text = try String(contentsOf: repository.appending(path: "Package.swift"), encoding: .utf8)
        let declaration = /\.(?:target|executableTarget|testTarget|systemLibrary|plugin)\(/
        let starts = text.ranges(of: declaration).map(\.lowerBound)
        var declared: [(name: String, body: Substring)] = []
        for (index, start) in starts.enumerated() {
            let end = index + 1 < starts.count ? starts[index + 1] : text.endIndex
            let body = text[start..<end]
            guard let name = body.firstMatch(of: /name:\s*"([^"]+)"/)?.1 else { continue }
            declared.append((String(name), body))
        }
        let names = Set(declared.map(\.name))
        var targets: [String: Set<String>] = [:]
        for (name, body) in declared {
            let withoutProducts = body.replacing(/\.product\([^)]*\)/, with: "")
            var dependencies: Set<String> = []
            for list in withoutProducts.matches(of: /(?:dependencies|plugins):\s*\[([^\]]*)\]/) {
                for quoted in list.1.matches(of: /"([^"]+)"/) where names.contains(String(quoted.1)) {
                    dependencies.insert(String(quoted.1))
                }
            }
            targets[name] = dependencies
        }
        return targets
    }

    /// The lines of the fenced block after `<!-- module-picture -->` in docs/architecture.md:
    /// `Name` alone, or `Name → Dependency, Dependency`.
    static func modulesInThePicture() throws -> [String: Set<String>] {
        let text = try String(contentsOf: repository.appending(path: "docs/architecture.md"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let marker = lines.firstIndex(of: "<!-- module-picture -->"),
            marker + 1 < lines.count, lines[marker + 1].hasPrefix("```")
        else {
            Issue.record("docs/architecture.md has no fenced block after <!-- module-picture -->")
            return [:]
        }
        var modules: [String: Set<String>] = [:]
        for line in lines[(marker + 2)...] {
            if line.hasPrefix("```") { break }
            let parts = line.split(separator: "→", maxSplits: 1)
            guard let first = parts.first else { continue }
            let name = first.trimmingCharacters(in: .whitespaces)
            if name.isEmpty { continue }
            #expect(modules[name] == nil, "the picture has two lines for \(name)")
            let dependencies =
                parts.count > 1
                ? parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : []
            modules[name] = Set(dependencies)
        }
        return modules
    }
}

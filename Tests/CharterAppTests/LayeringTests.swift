import Foundation
import Testing

/// The app and the command-line tool call use cases and stores, never SQL (STYLE.md, "Shape of the
/// package"): a query written in either would be a second home for something a store already owns.
@Suite("Layering")
struct LayeringTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// SQL statements as they start; written in capitals, as every query in the tree is.
    static var sqlKeyword: Regex<Substring> { /\b(?:SELECT|INSERT INTO|UPDATE|DELETE FROM)\b/ }

    /// The string literals of a Swift source, each with the line it starts on. Comments are skipped;
    /// an interpolation's code counts as part of its literal, which can only make the scan stricter.
    static func stringLiterals(in source: String) -> [(line: Int, text: String)] {
        var literals: [(line: Int, text: String)] = []
        let characters = Array(source)
        var index = 0
        var line = 1
        func starts(_ text: String, at position: Int) -> Bool {
            let needle = Array(text)
            guard position + needle.count <= characters.count else { return false }
            return Array(characters[position..<position + needle.count]) == needle
        }
        while index < characters.count {
            let character = characters[index]
            if character == "\n" {
                line += 1
                index += 1
            } else if starts("//", at: index) {
                while index < characters.count, characters[index] != "\n" { index += 1 }
            } else if starts("/*", at: index) {
                index += 2
                while index < characters.count, !starts("*/", at: index) {
                    if characters[index] == "\n" { line += 1 }
                    index += 1
                }
                index += 2
            } else if character == "\"" {
                let delimiter = starts("\"\"\"", at: index) ? "\"\"\"" : "\""
                let startLine = line
                var text = ""
                index += delimiter.count
                while index < characters.count, !starts(delimiter, at: index) {
                    if characters[index] == "\\", index + 1 < characters.count {
                        text.append(characters[index])
                        index += 1
                    }
                    if characters[index] == "\n" { line += 1 }
                    text.append(characters[index])
                    index += 1
                }
                index += delimiter.count
                literals.append((startLine, text))
            } else {
                index += 1
            }
        }
        return literals
    }

    @Test func theScanFindsSQLInLiteralsAndNotInComments() {
        let source = """
            // SELECT in a comment is prose.
            let query = "SELECT 1"
            /* DELETE FROM nothing */
            let block = \"\"\"
                UPDATE flags
                \"\"\"
            """
        let found = Self.stringLiterals(in: source).filter { $0.text.contains(Self.sqlKeyword) }.map(\.line)
        #expect(found == [2, 4])
    }

    @Test(arguments: ["Sources/CharterApp", "Sources/charterctl"])
    func noSQLIn(directory: String) throws {
        let root = Self.repository.appendingPathComponent(directory)
        let files = try #require(FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        #expect(!files.isEmpty, "no Swift sources under \(directory)")
        var offences: [String] = []
        for file in files {
            let source = try String(contentsOf: file, encoding: .utf8)
            for literal in Self.stringLiterals(in: source) where literal.text.contains(Self.sqlKeyword) {
                offences.append("\(directory)/\(file.lastPathComponent):\(literal.line)")
            }
        }
        #expect(offences.isEmpty, "SQL belongs in a store, not here: \(offences.joined(separator: ", "))")
    }
}

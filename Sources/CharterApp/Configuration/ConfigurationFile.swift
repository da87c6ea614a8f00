import Foundation

/// Reads `NAME=value` lines (systemd EnvironmentFile style).
///
/// Ours rather than swift-configuration's environment-file parser, which skips a malformed line
/// silently, keeps the quotes around a value and forgets line numbers: a line without `=` is refused
/// here, `"…"` and `'…'` are taken off, and each entry keeps its line for the refusal of an unknown name.
enum ConfigurationFile {
    struct Entry {
        var value: String
        var line: Int
    }

    static func read(path: String) throws -> [String: Entry] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError("the configuration file \(path) (CHARTERD_CONFIG) cannot be read")
        }
        var entries: [String: Entry] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigurationError("\(path) line \(index + 1): expected NAME=value")
            }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            entries[name] = Entry(value: value, line: index + 1)
        }
        return entries
    }
}

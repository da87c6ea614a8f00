import Foundation
import Testing

/// No code outside `FlagTransitions` decides a flag's state: every statement in `Sources/` and `sql/`
/// that writes `flags.state` is in a file named here, with why its state comes from `FlagTransitions`.
/// A new raw writer (an `UPDATE flags … SET state`, an `INSERT INTO flags (… state …)`) fails this until
/// it takes its state from there and is listed.
@Suite("Flag state writers")
struct FlagStateWritersTests {
    /// By file name, so a file keeps its entry when it moves between modules.
    static let allowedWriters: [String: String] = [
        "FlagStore+Act.swift":
            "a person's action: the state is `FlagTransitions.apply` of the action on the locked row's state",
        "FlagWriter.swift":
            "the nightly run: new flags in `FlagTransitions.raised`; reappear and clear through `FlagTransitions.apply`",
        "NightlyCompliance.swift":
            "exemptions: the from and to states are `FlagTransitions.moves(of: .waive / .unwaive)`, bound as arrays",
        "APIBench.swift":
            "charter-bench seeds a throwaway database with flags in every state to measure the API; not the product",
        "WorkspaceBench.swift":
            "charter-bench seeds a throwaway database with 100,000 flags to time the workspace's pages; not the product",
    ]

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `UPDATE flags [alias] SET <assignments>` up to the end of the assignments.
    static let update = try! NSRegularExpression(
        pattern: #"\bUPDATE\s+flags\b(?:\s+(?:AS\s+)?\w+)?\s+SET\s+(.*?)(?:\bWHERE\b|\bFROM\b|\bRETURNING\b|"""|;|$)"#,
        options: [.caseInsensitive, .dotMatchesLineSeparators])
    /// `INSERT INTO flags (<columns>)`, or `INSERT INTO flags VALUES / SELECT` (every column, state among them).
    static let insert = try! NSRegularExpression(
        pattern:
            #"\bINSERT\s+INTO\s+flags\b(?:\s+(?:AS\s+)?(?!VALUES\b|SELECT\b)\w+)?\s*(?:\(([^)]*)\)|VALUES|SELECT)"#,
        options: [.caseInsensitive])
    static let assignsState = try! NSRegularExpression(
        pattern: #"(?:^|[\s,])state\s*="#, options: [.caseInsensitive])
    static let namesState = try! NSRegularExpression(pattern: #"\bstate\b"#, options: [.caseInsensitive])

    /// Whether `text` holds a statement that writes a flag's state.
    static func writesFlagState(_ text: String) -> Bool {
        let whole = NSRange(text.startIndex..., in: text)
        func captured(_ match: NSTextCheckingResult) -> String? {
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
        for match in update.matches(in: text, range: whole) {
            if let set = captured(match),
                assignsState.firstMatch(in: set, range: NSRange(set.startIndex..., in: set)) != nil
            {
                return true
            }
        }
        for match in insert.matches(in: text, range: whole) {
            guard let columns = captured(match) else { return true }
            if namesState.firstMatch(in: columns, range: NSRange(columns.startIndex..., in: columns)) != nil {
                return true
            }
        }
        return false
    }

    /// The files under `Sources/` (Swift) and `sql/` (SQL) that write a flag's state, by name.
    static func writers() throws -> [String: [String]] {
        var found: [String: [String]] = [:]
        for (folder, suffix) in [("Sources", ".swift"), ("sql", ".sql")] {
            let base = packageRoot.appendingPathComponent(folder)
            guard let files = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else {
                continue
            }
            for case let file as URL in files where file.lastPathComponent.hasSuffix(suffix) {
                if writesFlagState(try String(contentsOf: file, encoding: .utf8)) {
                    found[file.lastPathComponent, default: []].append(
                        String(file.path.dropFirst(packageRoot.path.count + 1)))
                }
            }
        }
        return found
    }

    @Test func onlyTheNamedWritersSetAFlagsState() throws {
        let found = try Self.writers()
        let unexpected = found.filter { Self.allowedWriters[$0.key] == nil }.values.joined().sorted()
        #expect(
            unexpected.isEmpty,
            "these files write flags.state without going through FlagTransitions: \(unexpected.joined(separator: ", "))"
        )
        // The list stays true: a writer that no longer writes a state is taken off it.
        #expect(Set(found.keys) == Set(Self.allowedWriters.keys))
    }

    @Test func theScanSeesEachShapeOfWrite() {
        #expect(Self.writesFlagState("UPDATE flags SET state = 'open' WHERE id = 1"))
        #expect(Self.writesFlagState("update flags f set severity = 'x',\n    state = u.st FROM u"))
        #expect(Self.writesFlagState("INSERT INTO flags (employer_id, state, severity) VALUES (1, 'open', 'info')"))
        #expect(Self.writesFlagState("INSERT INTO flags VALUES (1, 'open')"))
        #expect(Self.writesFlagState("insert into flags as f select * from old_flags"))
        #expect(!Self.writesFlagState("UPDATE flags SET explanation = 'x', updated_at = now() WHERE id = 1"))
        #expect(!Self.writesFlagState("UPDATE flag_events SET to_state = 'open'"))
        #expect(!Self.writesFlagState("INSERT INTO flag_events (flag_id, from_state, to_state) VALUES (1, 'a', 'b')"))
    }
}

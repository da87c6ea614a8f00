/// What changed in a return version against an earlier one: how many worker lines were added, removed
/// and changed, and which header fields differ — the change summary of SPEC §2.
///
/// The counts are worker counts: union reps see `forReps()`, where 1–4 lines read "fewer than 5" (SPEC §4),
/// so a rep learns that a few lines changed and which header fields (headcount, attestations) did, never
/// whose line. Which lines changed, and how, is for the employer and the charter team only.
public struct ReturnChanges: Sendable, Hashable, Codable {
    /// The version compared against; nil for a first version.
    public var previousVersion: Int?
    public var linesAdded = WorkerCount.exact(0)
    public var linesRemoved = WorkerCount.exact(0)
    public var linesChanged = WorkerCount.exact(0)
    /// Header fields that changed, named as in the JSON (`headcount`, `attestations.equality_audit_on`).
    public var headerFields: [String] = []
    /// True when the previous version's worker lines were deleted by retention, so lines were not compared.
    public var previousLinesPurged = false

    public init(previousVersion: Int?) {
        self.previousVersion = previousVersion
    }

    /// Nothing a reader of the return would notice: no line added, removed or changed, no header field.
    public var isEmpty: Bool {
        [linesAdded, linesRemoved, linesChanged].allSatisfy { $0 == .exact(0) } && headerFields.isEmpty
    }

    /// The changes as union reps see them: the line counts suppressed like any count of workers.
    public func forReps() -> ReturnChanges {
        var copy = self
        copy.linesAdded = linesAdded.suppressed
        copy.linesRemoved = linesRemoved.suppressed
        copy.linesChanged = linesChanged.suppressed
        return copy
    }

    /// The line counts in words: "3 lines added, 0 removed, fewer than 5 changed".
    public var linesSentence: String {
        "\(linesAdded) lines added, \(linesRemoved) removed, \(linesChanged) changed"
    }

    /// Reads what was stored; a count or flag left out reads as none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        previousVersion = try container.decodeIfPresent(Int.self, forKey: .previousVersion)
        linesAdded = try container.decodeIfPresent(WorkerCount.self, forKey: .linesAdded) ?? .exact(0)
        linesRemoved = try container.decodeIfPresent(WorkerCount.self, forKey: .linesRemoved) ?? .exact(0)
        linesChanged = try container.decodeIfPresent(WorkerCount.self, forKey: .linesChanged) ?? .exact(0)
        headerFields = try container.decodeIfPresent([String].self, forKey: .headerFields) ?? []
        previousLinesPurged = try container.decodeIfPresent(Bool.self, forKey: .previousLinesPurged) ?? false
    }

    enum CodingKeys: String, CodingKey {
        case previousVersion = "previous_version"
        case linesAdded = "lines_added"
        case linesRemoved = "lines_removed"
        case linesChanged = "lines_changed"
        case headerFields = "header_fields"
        case previousLinesPurged = "previous_lines_purged"
    }
}

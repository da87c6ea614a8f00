public import CharterDomain
public import Foundation

/// One stored version of a return, without its worker lines.
public struct ReturnVersion: Sendable, Hashable, Codable {
    public var employerID: Int64
    public var period: ReportingPeriod
    public var returnID: Int64
    public var versionID: Int64
    /// 1 for the first submission, counting up with each amendment.
    public var version: Int
    public var receivedAt: Date
    public var submittedBy: String
    /// `json` or `csv`: how the worker lines arrived.
    public var source: String
    /// SHA-256 of the canonical content, hex.
    public var contentHash: String
    /// The worker lines stored: a count of workers, suppressed for reps like any other.
    public var lineCount: WorkerCount
    public var changes: ReturnChanges
    public var warnings: [ReturnIssue]
    /// The due date under the employer's charter version, and whether this version came after it.
    public var dueDate: CalendarDate?
    public var late: Bool?

    /// The version as union reps see it (SPEC §4): the line count and the change summary's counts
    /// suppressed (`ReturnChanges.forReps`), warnings without line numbers (`ReturnIssue.forReps`).
    public func forReps() -> ReturnVersion {
        var copy = self
        copy.lineCount = lineCount.suppressed
        copy.changes = changes.forReps()
        copy.warnings = ReturnIssue.forReps(warnings)
        return copy
    }

    enum CodingKeys: String, CodingKey {
        case employerID = "employer_id"
        case period
        case returnID = "return_id"
        case versionID = "version_id"
        case version
        case receivedAt = "received_at"
        case submittedBy = "submitted_by"
        case source
        case contentHash = "content_hash"
        case lineCount = "line_count"
        case changes
        case warnings
        case dueDate = "due_date"
        case late
    }
}

/// The answer to a submission that was accepted.
public struct SubmissionResult: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// A new version was stored.
        case created
        /// The content equals the latest version: nothing new was stored.
        case unchanged
    }

    public var status: Status
    /// The new version, or for `unchanged` the latest one, which the content matches.
    public var version: ReturnVersion
    /// True when this answer is the stored result of an earlier request with the same Idempotency-Key.
    public var replayed = false

    public init(status: Status, version: ReturnVersion) {
        self.status = status
        self.version = version
    }
}

/// How a submission ended: stored (new or unchanged), or rejected with every reason.
public enum SubmissionOutcome: Sendable {
    case accepted(SubmissionResult)
    case rejected(ValidationReport)
}

public import CharterDomain

/// One flag with everything behind it: the `Flag` (`summary`), the evidence as stored, what it was judged
/// on, the employer's latest response and the history, oldest first.
///
/// The evidence is the employer's view, in full. Union reps get `forReps()` (SPEC §4). The flag's
/// fields read directly (`detail.state`), and the JSON is flat: the flag's keys next to
/// `evidence`, `charter_version_id`, `return_version_id`, `response` and `events`.
@dynamicMemberLookup
public struct FlagDetail: Sendable, Hashable, Codable {
    public var summary: Flag
    public var evidence: Evidence
    public var charterVersionID: Int64?
    /// The return version last judged; nil for a missing return (or once that version is deleted).
    public var returnVersionID: Int64?
    public var response: FlagResponse?
    /// Oldest first.
    public var events: [FlagEvent]

    public init(
        summary: Flag, evidence: Evidence, charterVersionID: Int64?, returnVersionID: Int64?,
        response: FlagResponse?, events: [FlagEvent]
    ) {
        self.summary = summary
        self.evidence = evidence
        self.charterVersionID = charterVersionID
        self.returnVersionID = returnVersionID
        self.response = response
        self.events = events
    }

    public subscript<Value>(dynamicMember keyPath: KeyPath<Flag, Value>) -> Value {
        summary[keyPath: keyPath]
    }

    /// The flag as union reps see it: the evidence with the domain's small-number suppression
    /// (`Evidence.forReps()`); everything else as it is.
    public func forReps() -> FlagDetail {
        var copy = self
        copy.evidence = evidence.forReps()
        return copy
    }

    enum CodingKeys: String, CodingKey {
        case evidence
        case charterVersionID = "charter_version_id"
        case returnVersionID = "return_version_id"
        case response, events
    }

    public init(from decoder: any Decoder) throws {
        summary = try Flag(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        evidence = try container.decode(Evidence.self, forKey: .evidence)
        charterVersionID = try container.decodeIfPresent(Int64.self, forKey: .charterVersionID)
        returnVersionID = try container.decodeIfPresent(Int64.self, forKey: .returnVersionID)
        response = try container.decodeIfPresent(FlagResponse.self, forKey: .response)
        events = try container.decode([FlagEvent].self, forKey: .events)
    }

    public func encode(to encoder: any Encoder) throws {
        // The summary's keys and these share one JSON object.
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(evidence, forKey: .evidence)
        try container.encodeIfPresent(charterVersionID, forKey: .charterVersionID)
        try container.encodeIfPresent(returnVersionID, forKey: .returnVersionID)
        try container.encodeIfPresent(response, forKey: .response)
        try container.encode(events, forKey: .events)
    }
}

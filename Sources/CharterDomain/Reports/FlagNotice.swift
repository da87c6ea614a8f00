/// A flag changed in a way someone must hear about now, not in tomorrow's digest: an employer's
/// response or dispute reaches the reps covering it; a resolution reaches the employer.
public struct FlagNotice: Sendable, Hashable, Codable {
    public enum Event: String, Sendable, Hashable, Codable {
        case responded, disputed, resolved
    }

    public var flag: ReportFlag
    public var event: Event
    /// Who acted, in words ("Acme Ltd", "Siân Jones (Unite)").
    public var actor: String
    public var note: String?
    /// The flag event's id: the notice's unique key, so a retried transaction never queues it twice.
    public var flagEventID: Int64
    public var recipients: [ReportRecipient]

    public init(
        flag: ReportFlag, event: Event, actor: String, note: String?, flagEventID: Int64,
        recipients: [ReportRecipient]
    ) {
        self.flag = flag
        self.event = event
        self.actor = actor
        self.note = note
        self.flagEventID = flagEventID
        self.recipients = recipients
    }
}

public import Foundation

/// Any report, for the code that queues reports without caring which kind it holds.
public enum Report: Sendable, Hashable, Codable {
    case employerDigest(EmployerDigest)
    case repDigest(RepDigest)
    case reminder(ReturnReminder)
    case weeklySummary(WeeklySummary)
    case flagNotice(FlagNotice)
    case invitation(PasswordLinkNotice)
    case accreditationReminder(AccreditationReminder)
    case accreditationLapsed(AccreditationLapse)
    case application(ApplicationNotice)

    public var kind: ReportKind {
        switch self {
        case .employerDigest: .employerDigest
        case .repDigest: .repDigest
        case .reminder: .reminder
        case .weeklySummary: .weeklySummary
        case .flagNotice: .flagNotice
        case .invitation: .invitation
        case .accreditationReminder: .accreditationReminder
        case .accreditationLapsed: .accreditationLapsed
        case .application: .application
        }
    }

    public var recipients: [ReportRecipient] {
        switch self {
        case .employerDigest(let digest): digest.recipients
        case .repDigest(let digest): [digest.recipient]
        case .reminder(let reminder): reminder.recipients
        case .weeklySummary(let summary): summary.recipients
        case .flagNotice(let notice): notice.recipients
        case .invitation(let notice): [notice.recipient]
        case .accreditationReminder(let reminder): reminder.recipients
        case .accreditationLapsed(let notice): notice.recipients
        case .application(let notice): [notice.recipient]
        }
    }
}

/// A report rendered as the complete message the outbox will send, exactly as it will be sent.
public struct RenderedReport: Sendable, Hashable {
    public var kind: ReportKind
    public var subject: String
    /// The envelope sender and recipients' addresses.
    public var from: String
    public var recipients: [String]
    /// The RFC 5322 message, CRLF line endings.
    public var message: [UInt8]

    public init(kind: ReportKind, subject: String, from: String, recipients: [String], message: [UInt8]) {
        self.kind = kind
        self.subject = subject
        self.from = from
        self.recipients = recipients
        self.message = message
    }
}

/// Turns a report into a message (templates, MIME). Implemented in CharterApp over Mustache and `Mail`;
/// the code that gathers and queues reports knows only this.
public protocol ReportRendering: Sendable {
    /// The message for `report`, dated `date`. Throws when this report cannot be made into a message
    /// (a recipient address no message can carry, say): the queue leaves that report out and says why.
    func render(_ report: Report, date: Date) throws -> RenderedReport
}

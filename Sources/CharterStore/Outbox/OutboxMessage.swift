import Crypto
public import Foundation

/// An email to queue in the outbox (SPEC §7): the complete rendered RFC 5322 message with its envelope.
///
/// The caller renders the message and builds `dedupKey` from what makes it unique — kind, recipient,
/// and the subject period or the run — so queuing it again (a rerun) is a no-op.
public struct OutboxMessage: Sendable, Hashable {
    /// What kind of email it is; the strings are those stored in `outbox_messages.kind`.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case employerDigest = "employer-digest"
        case repDigest = "rep-digest"
        case reminder
        case weeklySummary = "weekly-summary"
        case flagNotice = "flag-notice"
        case invitation
        case accreditationReminder = "accreditation-reminder"
        case accreditationLapsed = "accreditation-lapsed"
        case application

        /// Whether the message's body may hold a secret — an invitation's one-time set-password link, an
        /// application's link that lets the applicant in — that only its recipient may read: the
        /// workspace shows such a message's headers, never its body or its `.eml` (the link is a password
        /// until it is used or expires).
        public var carriesSecret: Bool { self == .invitation || self == .application }
    }

    public var kind: Kind
    /// Unique across the outbox, e.g. `rep-digest:rep@example.org:2026-11-27`.
    public var dedupKey: String
    /// The envelope sender (SMTP `MAIL FROM`).
    public var sender: String
    /// The envelope recipients (SMTP `RCPT TO`); at least one.
    public var recipients: [String]
    public var subject: String
    /// The complete message, CRLF line endings, as it goes on the wire.
    public var message: [UInt8]
    /// SHA-256 of the content that matters to the reader — not the `Date` or `Message-ID` — so a
    /// digest whose content did not change can be recognised and not sent again.
    public var contentDigest: [UInt8]

    public init(
        kind: Kind, dedupKey: String, sender: String, recipients: [String], subject: String, message: [UInt8],
        contentDigest: [UInt8]
    ) {
        self.kind = kind
        self.dedupKey = dedupKey
        self.sender = sender
        self.recipients = recipients
        self.subject = subject
        self.message = message
        self.contentDigest = contentDigest
    }

    /// The SHA-256 of `content`, for `contentDigest`.
    public static func digest(of content: some DataProtocol) -> [UInt8] {
        Array(SHA256.hash(data: content))
    }

    /// The recipients as one key — lower-cased, sorted, without duplicates, joined by ", " — under
    /// which `OutboxStore.lastMessage(kind:recipient:)` finds the previous message to them.
    public static func recipientKey(_ recipients: [String]) -> String {
        Set(recipients.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }).sorted().joined(separator: ", ")
    }

    public var recipientKey: String { Self.recipientKey(recipients) }
}

/// The email with a one-time link to set a password: to a person invited to the web pages, or to a
/// user whose password the charter team reset (kind `invitation`, both).
public struct PasswordLinkNotice: Sendable, Hashable, Codable {
    /// Why the link was sent.
    public enum Purpose: String, Sendable, Hashable, Codable, CaseIterable {
        case invitation
        case reset
    }

    /// The `password_links` row, which names the message in the outbox (one message per link).
    public var linkID: Int64
    public var purpose: Purpose
    public var recipient: ReportRecipient
    /// The role the account has, in words (`admin`, `viewer`, `employer`, `rep`).
    public var role: String
    /// The link's path and query, e.g. `/set-password?token=…`; the renderer puts the public URL in front.
    public var path: String
    /// When the link stops working, in words (Europe/London), e.g. `13 Dec 2026 at 09:30`.
    public var expires: String

    public init(
        linkID: Int64, purpose: Purpose, recipient: ReportRecipient, role: String, path: String, expires: String
    ) {
        self.linkID = linkID
        self.purpose = purpose
        self.recipient = recipient
        self.role = role
        self.path = path
        self.expires = expires
    }
}

import Foundation
import Mail

/// An email address as people type it into a form or a command: trimmed, checked for the shape
/// `local@domain`, compared without regard to case (the unique indexes on `reps` and `users` are on
/// `lower(email)`).
///
/// Reps, users and employer contacts are all sent mail (notices, digests), so an address must be one a
/// message can carry (`MailAddress`: an ASCII dot-atom at a host name): one that passed here could
/// otherwise make every digest rendered beside it fail. Whether it is delivered is not checked; the
/// check keeps slips (a name in the email box, a missing `@`, a double dot) out of the tables, with a
/// sentence instead of a constraint violation.
struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The longest address SMTP allows (RFC 5321: 64 + 1 + 255, rounded down to the path limit).
    static let maximumLength = 254

    let text: String

    init?(_ raw: String) {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, trimmed.count <= Self.maximumLength,
            !trimmed.contains(where: { $0.isWhitespace || $0.isNewline })
        else { return nil }
        guard (try? MailAddress(address: trimmed)) != nil else { return nil }
        text = trimmed
    }

    var description: String { text }
}

import Foundation

/// An email address as people type it into a form or a command: trimmed, checked for the shape
/// `local@domain`, compared without regard to case (the unique indexes on `reps` and `users` are on
/// `lower(email)`).
///
/// Deliverability is not checked here; the check only keeps obvious slips (a name in the email box,
/// a missing `@`) out of the tables, with a sentence instead of a constraint violation.
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
        text = trimmed
    }

    var description: String { text }
}

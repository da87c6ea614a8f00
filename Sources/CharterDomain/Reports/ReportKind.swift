/// The kinds of email-ready report (SPEC §7), as the outbox and templates name them.
public enum ReportKind: String, Sendable, Hashable, Codable, CaseIterable {
    case employerDigest = "employer-digest"
    case repDigest = "rep-digest"
    case reminder
    case weeklySummary = "weekly-summary"
    case flagNotice = "flag-notice"
    /// A one-time link to set a password (an invitation, or a reset): `PasswordLinkNotice`.
    case invitation
    /// An accreditation lapses soon (90, 30 or 7 days): `AccreditationReminder`.
    case accreditationReminder = "accreditation-reminder"
    /// An accreditation lapsed and an aspiring pledge continues: `AccreditationLapse`.
    case accreditationLapsed = "accreditation-lapsed"
    /// A step of an application to join the charter (SPEC §10): `ApplicationNotice`.
    case application
}

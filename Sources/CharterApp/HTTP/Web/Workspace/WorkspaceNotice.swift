/// What an action in the charter team's workspace did, for the page the browser goes to next
/// (carried by `WebNotice.workspace`).
///
/// Like every notice it travels as a code — the kind and up to three numbers — never as text, so the
/// sentence is always one of these. Pages show the names (the employer, the rep) around the notice.
struct WorkspaceNotice: Sendable, Hashable {
    /// The actions, each with the numbers its sentence uses.
    enum Kind: String, Sendable, CaseIterable {
        /// `[employer]`
        case employerRegistered = "employer-registered"
        /// `[employer]`
        case employerUpdated = "employer-updated"
        /// `[added, updated, unchanged]`
        case gpgImported = "gpg-imported"
        /// `[employer]`
        case contactAdded = "contact-added"
        /// `[employer]`
        case contactRemoved = "contact-removed"
        /// `[employer]`
        case pledgeAdded = "pledge-added"
        /// `[employer]`
        case pledgeEnded = "pledge-ended"
        /// `[rep]`
        case repAdded = "rep-added"
        /// `[rep]`
        case repUpdated = "rep-updated"
        /// `[user]`
        case userInvited = "user-invited"
        /// `[user]`
        case userDisabled = "user-disabled"
        /// `[user]`
        case userEnabled = "user-enabled"
        /// `[user]`
        case userReset = "user-reset"
        /// `[token]`
        case tokenRevoked = "token-revoked"
        /// `[exemption]`
        case exemptionGranted = "exemption-granted"
        /// `[exemption]`
        case exemptionRevoked = "exemption-revoked"
        /// `[version]`
        case draftCreated = "draft-created"
        /// `[version]`
        case draftUpdated = "draft-updated"
        /// `[version]`
        case versionPublished = "version-published"
        /// `[year]`
        case rateAdded = "rate-added"
        /// `[]`
        case bankHolidayAdded = "bank-holiday-added"
        /// `[run]`
        case runFinished = "run-finished"
        /// `[message]`
        case messageRequeued = "message-requeued"
        /// `[application]`
        case reviewsSaved = "reviews-saved"
        /// `[application]`
        case moreRequested = "more-requested"
        /// `[application, employer]`
        case applicationDecided = "application-decided"
    }

    let kind: Kind
    let numbers: [Int64]

    init(_ kind: Kind, _ numbers: Int64...) {
        self.kind = kind
        self.numbers = numbers
    }

    /// `kind.n1.n2…`, the part of `WebNotice.code` after `workspace.`.
    var code: String {
        ([kind.rawValue] + numbers.map(String.init)).joined(separator: ".")
    }

    /// The notice `parts` (the code split at dots) stand for; nil for anything `code` does not make.
    init?(parts: ArraySlice<String>) {
        guard let first = parts.first, let kind = Kind(rawValue: first), parts.count <= 4 else { return nil }
        let numbers = parts.dropFirst().compactMap { Int64($0) }
        guard numbers.count == parts.count - 1, numbers.allSatisfy({ $0 >= 0 }) else { return nil }
        self.kind = kind
        self.numbers = numbers
    }

    /// The sentence the next page shows.
    var sentence: String {
        func number(_ index: Int) -> Int64 { index < numbers.count ? numbers[index] : 0 }
        switch kind {
        case .employerRegistered: return "The employer was registered (employer #\(number(0)))."
        case .employerUpdated: return "The employer's details were saved."
        case .gpgImported:
            return "The import is done: \(number(0)) employers added, \(number(1)) updated, \(number(2)) unchanged."
        case .contactAdded: return "The contact was added."
        case .contactRemoved: return "The contact was removed."
        case .pledgeAdded: return "The pledge was added."
        case .pledgeEnded: return "The pledge was ended."
        case .repAdded: return "The rep was added (rep #\(number(0)))."
        case .repUpdated: return "The rep's details and coverage were saved."
        case .userInvited: return "The user was invited: an email with a link to set a password is on its way."
        case .userDisabled: return "The user was disabled and signed out everywhere."
        case .userEnabled: return "The user can sign in again."
        case .userReset: return "A link to set a new password was emailed to the user."
        case .tokenRevoked: return "The token was revoked; it no longer works."
        case .exemptionGranted: return "The exemption was granted (exemption #\(number(0)))."
        case .exemptionRevoked: return "The exemption was revoked."
        case .draftCreated: return "Draft version \(number(0)) was created."
        case .draftUpdated: return "Draft version \(number(0)) was saved."
        case .versionPublished: return "Version \(number(0)) was published; it can no longer be changed."
        case .rateAdded: return "The rates for \(number(0)) were saved."
        case .bankHolidayAdded: return "The bank holiday was added."
        case .runFinished: return "The nightly compliance run finished (run #\(number(0)))."
        case .messageRequeued: return "Message #\(number(0)) was queued to be sent again."
        case .reviewsSaved: return "Your review of application #\(number(0)) was saved."
        case .moreRequested:
            return "Application #\(number(0)) went back to the applicant with your questions; they were emailed a link."
        case .applicationDecided:
            return number(1) > 0
                ? "Application #\(number(0)) was decided: employer #\(number(1)) has its pledge, and the applicant was emailed."
                : "Application #\(number(0)) was declined; the applicant was emailed the reasons."
        }
    }
}

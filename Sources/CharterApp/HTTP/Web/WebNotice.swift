import CharterDomain
import Foundation
import Hummingbird

/// What a form just did, said on the page the browser is sent to next (the "flash" of a
/// POST-redirect-GET): signed in, signed out, a flag acted on, a return received.
///
/// It travels in a short-lived cookie (`__Host-`, `Secure`, `HttpOnly`, `SameSite=Strict`, so only this
/// site can set it) holding a code from this fixed list — an action name, a flag or version number, a
/// period — never a sentence: the sentence is made here from the code and written into the page as
/// escaped text, so nobody can make a page say anything else by forging the cookie.
enum WebNotice: Sendable, Hashable {
    case signedIn
    case signedOut
    /// A person's action on a flag succeeded.
    case flagAction(FlagAction, flagID: Int64)
    /// An upload was accepted: a new version, or (`unchanged`) content equal to the latest version.
    case returnReceived(ReportingPeriod, version: Int, unchanged: Bool)
    /// An action in the charter team's workspace succeeded.
    case workspace(WorkspaceNotice)
    /// A step of an application to join the charter succeeded.
    case application(ApplicantStep)

    /// What an applicant just did (SPEC §10).
    enum ApplicantStep: String, Sendable, CaseIterable {
        case started, linkResent = "link-resent", confirmed, saved, evidenceAdded = "evidence-added"
        case evidenceRemoved = "evidence-removed", submitted

        var sentence: String {
            switch self {
            case .started:
                "Check your email: we sent a link to confirm your address. Follow it to fill in the application."
            case .linkResent:
                "If an application was started with that address, a new link is on its way to it."
            case .confirmed:
                "Your email address is confirmed. Fill in the application below; you can save and come back."
            case .saved: "Your application was saved. It has not been sent to the charter team yet."
            case .evidenceAdded: "The evidence file was added to your application."
            case .evidenceRemoved: "The evidence file was removed."
            case .submitted:
                "Your application was sent to the charter team. We emailed you a confirmation; they will write to you."
            }
        }
    }

    /// The cookie's name.
    static let cookieName = "__Host-charterwatch_notice"

    /// How long an unread notice is kept: long enough for the redirect, short enough to be forgotten.
    static let maxAge = 120

    /// The code in the cookie: `signed-in`, `flag.resolve.12`, `return.2026-Q3.3.new`.
    var code: String {
        switch self {
        case .signedIn: "signed-in"
        case .signedOut: "signed-out"
        case .flagAction(let action, let flagID): "flag.\(action.rawValue).\(flagID)"
        case .returnReceived(let period, let version, let unchanged):
            "return.\(period).\(version).\(unchanged ? "unchanged" : "new")"
        case .workspace(let notice): "workspace.\(notice.code)"
        case .application(let step): "application.\(step.rawValue)"
        }
    }

    /// The notice a cookie's code stands for; nil for anything not made by `code`.
    init?(code: String) {
        let parts = code.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch parts.first {
        case "signed-in" where parts.count == 1: self = .signedIn
        case "signed-out" where parts.count == 1: self = .signedOut
        case "flag" where parts.count == 3:
            guard let action = FlagAction(rawValue: parts[1]), Self.peopleActions.contains(action),
                let id = Int64(parts[2]), id > 0
            else { return nil }
            self = .flagAction(action, flagID: id)
        case "return" where parts.count == 4:
            guard let period = ReportingPeriod(parts[1]), let version = Int(parts[2]), version > 0,
                ["new", "unchanged"].contains(parts[3])
            else { return nil }
            self = .returnReceived(period, version: version, unchanged: parts[3] == "unchanged")
        case "workspace":
            guard let notice = WorkspaceNotice(parts: parts.dropFirst()) else { return nil }
            self = .workspace(notice)
        case "application" where parts.count == 2:
            guard let step = ApplicantStep(rawValue: parts[1]) else { return nil }
            self = .application(step)
        default: return nil
        }
    }

    /// The actions a person takes through the flag page's forms.
    static let peopleActions: Set<FlagAction> = [.acknowledge, .resolve, .reopen, .dispute, .comment, .respond]

    /// The sentence the next page shows.
    func sentence(signedInName: String?) -> String {
        switch self {
        case .signedIn:
            signedInName.map { "You are signed in as \($0)." } ?? "You are signed in."
        case .signedOut:
            "You have signed out."
        case .flagAction(let action, let id):
            switch action {
            case .acknowledge: "You acknowledged flag #\(id)."
            case .resolve: "You resolved flag #\(id)."
            case .reopen: "You reopened flag #\(id); it is open again."
            case .dispute: "You disputed flag #\(id); a rep will read your note."
            case .comment: "Your comment on flag #\(id) was added to its history."
            case .respond: "Your response to flag #\(id) was saved."
            default: "Flag #\(id) was updated."
            }
        case .returnReceived(let period, let version, let unchanged):
            unchanged
                ? "Nothing changed: the files you sent are the same as version \(version) of the \(period) return,"
                    + " so no new version was stored."
                : "Version \(version) of the \(period) return was received."
        case .workspace(let notice):
            notice.sentence
        case .application(let step):
            step.sentence
        }
    }

    /// The `Set-Cookie` that carries this notice to the next page.
    var cookie: Cookie {
        Cookie(
            name: Self.cookieName, value: code, maxAge: Self.maxAge, path: "/", secure: true, httpOnly: true,
            sameSite: .strict)
    }

    /// The `Set-Cookie` that forgets a notice once a page has shown it.
    static var clearing: Cookie {
        Cookie(name: cookieName, value: "", maxAge: 0, path: "/", secure: true, httpOnly: true, sameSite: .strict)
    }
}

import CharterAccess
import CharterDomain
import CharterStore
import Foundation
import Hummingbird
import PGClient
import Scheduling

extension WebPages {
    /// What the administration page shows, each asked of the policy; users are the charter team's
    /// alone (`readUsers`), which keeps the page to admins.
    static let adminActions: [Action] = [.readUsers, .readEmployers, .readReps, .readRuns, .readExemptions]

    static func registerAdmin(on group: RouterGroup<CharterRequestContext>, pool: PGPool, users: UserStore) {
        group.get("/admin") { _, context -> Response in
            let principal = try principal(context)
            for action in adminActions {
                try APIAccess.require(principal, action, employerID: nil, notFound: "")
            }
            let employers = try await EmployerStore(pool: pool).list()
            let names = Dictionary(
                employers.compactMap { e in e.id.map { ($0, e.name) } }, uniquingKeysWith: { a, _ in a })
            let data: [String: Any] = [
                "employers": employers.map {
                    (["id": $0.id ?? 0, "name": $0.name] as [String: Any])
                        .with("companyNumber", $0.companyNumber?.description)
                },
                "reps": try await RepStore(pool: pool).list().map {
                    [
                        "name": $0.name, "email": $0.email,
                        "covers": $0.coveredEmployerIDs.map { names[$0] ?? "employer \($0)" }.joined(separator: ", "),
                    ]
                },
                "runs": try await JobRunLog(pool: pool).recent(limit: 20).map { run in
                    [
                        "job": run.job, "scheduledFor": WebPage.time(run.scheduledFor),
                        "how": run.triggeredBy.map { "by hand (\($0))" } ?? "on schedule",
                        "outcome": [run.outcome ?? "claimed", run.error].compactMap { $0 }.joined(separator: ": "),
                        "counts": run.counts.sorted { $0.key < $1.key }.map {
                            "\($0.key.replacingOccurrences(of: "_", with: " ")) \($0.value)"
                        }
                        .joined(separator: ", "),
                    ]
                },
                "exemptions": try await ExemptionStore(pool: pool).list().filter { $0.revokedAt == nil }.map {
                    [
                        "employer": names[$0.employerID] ?? "employer \($0.employerID)", "standard": $0.standardID,
                        "reason": $0.reason, "expires": WebPage.date($0.expiresOn),
                    ]
                },
                "users": try await users.list().map {
                    [
                        "email": $0.email, "name": $0.displayName, "role": $0.role.rawValue,
                        "state": $0.disabledAt == nil ? "active" : "disabled",
                    ]
                },
            ]
            return WebPage.render("admin", data, context: context)
        }
    }
}

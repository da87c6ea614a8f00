import CharterAccess
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import Hummingbird
import PGClient
import Scheduling

/// What the workspace's pages work with: the same pool, stores and use cases the API uses.
struct WorkspaceServices: Sendable {
    let pool: PGPool
    let users: UserStore
    /// Queues the digests of a nightly run started from the runs page, as the scheduled run does.
    let reportQueue: ReportQueue?
}

extension WebPages {
    /// The charter team's workspace: the overview at `/admin` and each section's pages, all behind
    /// `WorkspaceGate`.
    static func registerWorkspace(on group: RouterGroup<CharterRequestContext>, services: WorkspaceServices) {
        registerWorkspaceOverview(on: group, services: services)
        registerWorkspacePeople(on: group, services: services)
        registerWorkspaceOperations(on: group, services: services)
    }

    /// The overview: employers, reps, recent runs, exemptions in force, and (for the charter team, not
    /// viewers) users — each shown only when the policy allows the principal to see it.
    static func registerWorkspaceOverview(on group: RouterGroup<CharterRequestContext>, services: WorkspaceServices) {
        let pool = services.pool
        group.get("/admin") { _, context -> Response in
            let principal = try Workspace.require(.openWorkspace, context: context)
            let employers = try await EmployerStore(pool: pool).list()
            let names = Dictionary(
                employers.compactMap { e in e.id.map { ($0, e.name) } }, uniquingKeysWith: { a, _ in a })
            var data: [String: Any] = [
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
            ]
            if Workspace.allows(principal, .readUsers) {
                data["users"] = try await services.users.list().map {
                    [
                        "email": $0.email, "name": $0.displayName, "role": $0.role.rawValue,
                        "state": $0.disabledAt == nil ? "active" : "disabled",
                    ]
                }
                data["showUsers"] = true
            }
            return Workspace.render("workspace", data, section: "/admin", context: context)
        }
    }
}

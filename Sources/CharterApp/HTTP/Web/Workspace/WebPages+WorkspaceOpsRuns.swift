import CharterAccess
import CharterDomain
import CharterStore
import CharterUseCases
import Foundation
import HTTPTypes
import Hummingbird
import PGClient
import Scheduling

extension WebPages {
    /// `/admin/runs`: every job run (scheduled or by hand) with its counts and errors, a run's own page,
    /// and the nightly compliance job run now or as a dry run — through `NightlyCompliance.runByHand`, as
    /// `POST /v1/runs/nightly-compliance`.
    static func registerWorkspaceOpsRuns(on group: RouterGroup<CharterRequestContext>, services: WorkspaceServices) {
        let pool = services.pool
        let log = JobRunLog(pool: pool)
        group.get("/admin/runs") { request, context -> Response in
            _ = try Workspace.require(.readRuns, context: context)
            let query = ListQuery(request, filters: ["job"])
            let runs = try await log.page(job: query["job"], offset: query.offset, limit: ListQuery.pageSize)
            let total = try await log.count(job: query["job"])
            let jobs = try await log.jobs()
            return Workspace.render(
                "workspace-runs",
                [
                    "runs": runs.map(runRow), "paging": query.paging("/admin/runs", shown: runs.count, total: total),
                    "jobFilter": query.options("job", jobs.map { ($0, $0) }),
                    "csv": query.href("/admin/runs.csv"), "today": WorkspaceOps.today.description,
                ], section: "/admin/runs", change: .triggerRun, context: context)
        }
        group.get("/admin/runs.csv") { request, context -> Response in
            _ = try Workspace.require(.readRuns, context: context)
            let query = ListQuery(request, filters: ["job"])
            let runs = try await log.page(job: query["job"], offset: 0, limit: 10_000)
            return Workspace.csv(
                filename: "runs.csv",
                header: [
                    "id", "job", "scheduled_for", "started_at", "finished_at", "how", "outcome", "counts", "error",
                ],
                rows: runs.map { run in
                    [
                        String(run.id), run.job, iso(run.scheduledFor), run.startedAt.map(iso) ?? "",
                        run.finishedAt.map(iso) ?? "", run.triggeredBy.map { "by hand (\($0))" } ?? "on schedule",
                        run.outcome ?? "claimed", counts(run.counts), run.error ?? "",
                    ]
                })
        }
        group.get("/admin/runs/:run") { _, context -> Response in
            _ = try Workspace.require(.readRuns, context: context)
            let id = try CharterAPI.id("run", context)
            guard let run = try await log.run(id: id) else { throw Problem(.notFound, "There is no run \(id).") }
            var data = runRow(run)
            data["countList"] = run.counts.sorted { $0.key < $1.key }.map {
                ["name": $0.key.replacingOccurrences(of: "_", with: " "), "value": $0.value] as [String: Any]
            }
            data.setIfPresent("claimedBy", run.claimedBy)
            data.setIfPresent("startedAt", run.startedAt.map(WebPage.time))
            data.setIfPresent("finishedAt", run.finishedAt.map(WebPage.time))
            data["attempts"] = run.attempts
            return Workspace.render("workspace-run", data, section: "/admin/runs", context: context)
        }
        group.post("/admin/runs/nightly-compliance") { request, context -> Response in
            let form = try await WebForm.read(request, context: context)
            try form.requireCSRF(context: context)
            let principal = try Workspace.require(.triggerRun, context: context)
            var asOf = WorkspaceOps.today
            if let text = form["as_of"] {
                guard let date = WorkspaceOps.date(text) else {
                    var errors = FormErrors()
                    errors.add("as_of", "Enter the day to run as, like 2026-12-06, or leave it empty for today.")
                    var data: [String: Any] = [
                        "values": ["as_of": text], "today": WorkspaceOps.today.description,
                        "runs": try await log.page(offset: 0, limit: ListQuery.pageSize).map(runRow),
                        "csv": "/admin/runs.csv",
                    ]
                    data.merge(errors.templateData) { _, new in new }
                    return Workspace.render(
                        "workspace-runs", data, section: "/admin/runs", change: .triggerRun, context: context,
                        status: .unprocessableContent)
                }
                asOf = date
            }
            let dryRun = form["dry_run"] == "yes"
            let nightly = NightlyCompliance(pool: pool, reportQueue: services.reportQueue)
            let report = try await nightly.runByHand(asOf: asOf, dryRun: dryRun, actor: principal.actor)
            if dryRun {
                return try await dryRunPage(report, pool: pool, context: context)
            }
            return Workspace.redirect(
                to: report.runID.map { "/admin/runs/\($0)" } ?? "/admin/runs",
                notice: WorkspaceNotice(.runFinished, report.runID ?? 0))
        }
    }

    /// What a dry run would change, shown on its own page: nothing was written.
    static func dryRunPage(
        _ report: ComplianceRunReport, pool: PGPool, context: CharterRequestContext
    ) async throws -> Response {
        let names = try await EmployerStore(pool: pool).names(of: report.changes.map(\.employerID))
        func rows(_ kinds: Set<FlagChange.Kind>) -> [[String: Any]] {
            report.changes.filter { kinds.contains($0.kind) }.map { change -> [String: Any] in
                [
                    "kind": change.kind.rawValue, "employerID": change.employerID,
                    "employer": names[change.employerID] ?? "employer \(change.employerID)", "period": change.period,
                    "standard": change.standardID, "subject": change.subject, "severity": change.severity,
                ]
            }
        }
        let missing = report.changes.filter { $0.standardID == "gov.return-missing" }.map { change in
            [
                "employer": names[change.employerID] ?? "employer \(change.employerID)", "period": change.period,
                "kind": change.kind.rawValue,
            ]
        }
        return Workspace.render(
            "workspace-run-dry",
            [
                "asOf": WebPage.date(report.asOf),
                "raise": rows([.opened, .reopened]), "clear": rows([.cleared]), "waive": rows([.waived]),
                "unwaive": rows([.unwaived]), "update": rows([.updated]), "missing": missing,
                "missingCount": report.missingReturns, "returnsEvaluated": report.returnsEvaluated,
                "runErrors": report.errors, "hasRunErrors": !report.errors.isEmpty,
                "counts": report.counts.sorted { $0.key < $1.key }.map {
                    ["name": $0.key.replacingOccurrences(of: "_", with: " "), "value": $0.value] as [String: Any]
                },
            ], section: "/admin/runs", context: context)
    }

    static func runRow(_ run: JobRun) -> [String: Any] {
        var row: [String: Any] = [
            "id": run.id, "job": run.job, "scheduledFor": WebPage.time(run.scheduledFor),
            "how": run.triggeredBy.map { "by hand (\($0))" } ?? "on schedule", "outcome": run.outcome ?? "claimed",
            "counts": counts(run.counts),
        ]
        row.setIfPresent("error", run.error)
        return row
    }

    static func counts(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key.replacingOccurrences(of: "_", with: " ")) \($0.value)" }
            .joined(separator: ", ")
    }

    /// An instant in ISO 8601 (UTC), for CSV cells.
    static func iso(_ instant: Date) -> String {
        instant.formatted(.iso8601)
    }
}

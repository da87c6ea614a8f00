public import CharterDomain
public import CharterStore
import Foundation
public import PGClient
import Scheduling

extension CharterJobs {
    /// Runs the nightly compliance job by hand (`charterctl run`, `POST /v1/runs/nightly-compliance`) and
    /// records the run beside the scheduled ones, so `/v1/runs` and the admin pages list it with its counts
    /// (SPEC §6: every run is recorded, by hand or scheduled).
    ///
    /// A dry run writes nothing, its record included. A run that fails is recorded as failed with its
    /// error, then the error is rethrown; a run the rules could not finish for some returns is recorded as
    /// succeeded with those errors, as the scheduler records it.
    public static func runNightlyComplianceByHand(
        pool: PGPool, reportQueue: ReportQueue?, asOf: CalendarDate, dryRun: Bool, actor: String
    ) async throws -> ComplianceRunReport {
        let compliance = NightlyCompliance(pool: pool, reportQueue: reportQueue)
        if dryRun { return try await compliance.run(asOf: asOf, dryRun: true, actor: actor) }
        let log = JobRunLog(pool: pool)
        let startedAt = Date()
        do {
            let report = try await compliance.run(asOf: asOf, actor: actor)
            try await log.recordHandRun(
                job: "nightly-compliance", triggeredBy: actor, startedAt: startedAt, finishedAt: Date(),
                succeeded: true, counts: report.counts,
                error: report.errors.isEmpty ? nil : report.errors.joined(separator: "\n"))
            return report
        } catch {
            _ = try? await log.recordHandRun(
                job: "nightly-compliance", triggeredBy: actor, startedAt: startedAt, finishedAt: Date(),
                succeeded: false, counts: [:], error: "\(error)")
            throw error
        }
    }
}

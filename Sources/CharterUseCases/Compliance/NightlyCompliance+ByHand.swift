public import CharterDomain
import Foundation
import Scheduling

extension NightlyCompliance {
    /// Runs the nightly compliance job by hand (`charterctl run`, `POST /v1/runs/nightly-compliance`) and
    /// records the run beside the scheduled ones, so `/v1/runs` and the admin pages list it with its counts
    /// (SPEC §6: every run is recorded, by hand or scheduled).
    ///
    /// A dry run writes nothing, its record included. A run that fails is recorded as failed with its
    /// error, then the error is rethrown; a run the rules could not finish for some returns is recorded as
    /// succeeded with those errors, as the scheduler records it.
    public func runByHand(asOf: CalendarDate, dryRun: Bool, actor: String) async throws -> ComplianceRunReport {
        if dryRun { return try await run(asOf: asOf, dryRun: true, actor: actor) }
        let log = JobRunLog(pool: pool)
        let startedAt = Date()
        do {
            var report = try await run(asOf: asOf, actor: actor)
            report.runID = try await log.recordHandRun(
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

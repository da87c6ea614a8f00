public import CharterDomain
public import CharterStore
import Foundation
public import PGClient

/// The daily renewal round of accreditations (SPEC §10 "Renewal", the `accreditation-renewals` job):
/// reminds employers 90, 30 and 7 days before their accreditation lapses, and on the lapse day, if no
/// renewal (a newer accredited pledge) has been recorded, ends the accredited pledge and continues an
/// aspiring one.
///
/// Safe to repeat and to run twice at once: each reminder has an outbox key per pledge and rung, each
/// lapse locks its pledge and finds nothing to do once it is done, and its notice has a key per pledge.
public struct AccreditationRenewals: Sendable {
    public let pool: PGPool
    /// Where reminders and lapse notices are queued; nil queues no email (the lapses still happen).
    public let reportQueue: ReportQueue?

    public init(pool: PGPool, reportQueue: ReportQueue?) {
        self.pool = pool
        self.reportQueue = reportQueue
    }

    /// What a round did.
    public struct Outcome: Sendable, Hashable {
        /// Reminders queued.
        public var remindersQueued = 0
        /// The accreditations that lapsed in this round.
        public var lapsed: [LapsedAccreditation] = []
        /// Why each reminder that could not be rendered was left out.
        public var unrendered: [String] = []
        /// Why each pledge due to lapse could not, a sentence each; the rest went ahead.
        public var failures: [String] = []

        public init() {}

        /// Emails queued: reminders and lapse notices.
        public var emailsQueued: Int { remindersQueued + lapsed.filter(\.emailQueued).count }

        /// The counts the job records.
        public var counts: [String: Int] {
            [
                "emails_queued": emailsQueued, "reminders_queued": remindersQueued, "pledges_lapsed": lapsed.count,
                "lapses_failed": failures.count, "emails_not_rendered": unrendered.count,
            ]
        }
    }

    /// The round of `asOf` (a Europe/London day), acting as `actor` in the audit trail.
    public func run(asOf: CalendarDate, actor: String) async throws -> Outcome {
        var outcome = Outcome()
        if let reportQueue {
            let queued = try await pool.withTransaction { connection in
                try await reportQueue.queueReporting(
                    try await ReportGatherer.accreditationReminders(asOf: asOf, on: connection).map(
                        Report.accreditationReminder),
                    on: connection)
            }
            outcome.remindersQueued = queued.queued
            outcome.unrendered = queued.unrendered
        }
        let store = PledgeStore(pool: pool)
        for pledge in try await store.accreditedInForce(on: asOf) where pledge.step(on: asOf) == .lapse {
            do {
                if let lapsed = try await store.lapse(pledgeID: pledge.id, asOf: asOf, actor: actor, mail: reportQueue)
                {
                    outcome.lapsed.append(lapsed)
                }
            } catch let error as CharterStoreError {
                // One pledge that cannot continue as aspiring (no version in force, overrides the new
                // version refuses) must not hold up the others; it is said, and tried again tomorrow.
                outcome.failures.append("\(error)")
            }
        }
        return outcome
    }
}

public import CharterDomain
import CharterStore
public import Foundation
public import Logging
public import PGClient

/// Gathers reports, renders them with an injected `ReportRendering` and queues them in the outbox
/// on the caller's connection, inside the transaction of the change that causes them (SPEC §7).
///
/// Every message has a unique key (`Report.dedupKey`), so a rerun or a retried transaction queues
/// nothing twice. A digest is also held back when its content (`Report.contentDigest`) is what the
/// last digest to the same recipients said, until `digestRepeatInterval` has passed since that one.
///
/// A report the renderer cannot make into a message (say a recipient stored before addresses were
/// checked as strictly as now, which no message can carry) is left out and said — logged, and returned in
/// `Outcome.unrendered`, which the nightly run counts among its errors and the reminder and summary jobs
/// as `emails_not_rendered` — so it never holds up the other reports, nor the flag changes or flag
/// action that called for them.
public struct ReportQueue: Sendable {
    public var renderer: any ReportRendering
    /// How long an unchanged digest waits before it is sent again. Default: 7 days; nil never repeats.
    public var digestRepeatInterval: TimeInterval?
    /// The time messages are dated and the repeat interval is measured at. Default: the system clock.
    public var clock: @Sendable () -> Date
    /// Where reports that could not be rendered are said.
    public var logger: Logger

    public init(
        renderer: any ReportRendering, digestRepeatInterval: TimeInterval? = 7 * 86_400,
        clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "charterwatch.reports")
    ) {
        self.renderer = renderer
        self.digestRepeatInterval = digestRepeatInterval
        self.clock = clock
        self.logger = logger
    }

    /// What queueing a list of reports did.
    public struct Outcome: Sendable, Hashable {
        /// Reports queued.
        public var queued = 0
        /// Why each report that could not be rendered was left out, a sentence each.
        public var unrendered: [String] = []

        public init() {}
    }

    /// Renders and queues `report` on `connection` (inside the caller's transaction).
    ///
    /// - Returns: whether it was queued: false when its key is in the outbox already, it is a digest
    ///   whose content has not changed since the last one to these recipients within the repeat
    ///   interval, or it could not be rendered (logged).
    @discardableResult
    public func queue(_ report: Report, on connection: PGConnection) async throws -> Bool {
        try await queue([report], on: connection) == 1
    }

    /// Reports decided, rendered and queued together, in order; how many were queued.
    static let window = 512

    /// Queues each report as `queue(_:on:)` would one after the other, a window at a time: one query
    /// for the keys already queued (so a rerun renders nothing; not for a window of one report, whose
    /// insert skips a queued key anyway), one for the last digests to the window's recipients, the
    /// chosen reports rendered on every core, and one multi-row insert. A nightly run queues ten
    /// thousand digests this way instead of making three round trips and one render each in turn.
    public func queue(_ reports: [Report], on connection: PGConnection) async throws -> Int {
        try await queueReporting(reports, on: connection).queued
    }

    /// `queue(_:on:)`, also saying which reports could not be rendered and why.
    public func queueReporting(_ reports: [Report], on connection: PGConnection) async throws -> Outcome {
        let now = clock()
        var outcome = Outcome()
        var seen: Set<String> = []
        for start in stride(from: 0, to: reports.count, by: Self.window) {
            let window = reports[start..<min(start + Self.window, reports.count)]
            let chosen = try await choose(window, now: now, seen: &seen, on: connection)
            let rendered = try await render(chosen.map(\.report), date: now)
            var messages: [OutboxMessage] = []
            for (choice, result) in zip(chosen, rendered) {
                switch result {
                case .success(let rendered):
                    messages.append(
                        OutboxMessage(
                            kind: choice.kind, dedupKey: choice.report.dedupKey, sender: rendered.from,
                            recipients: rendered.recipients, subject: rendered.subject, message: rendered.message,
                            contentDigest: choice.contentDigest))
                case .failure(let error):
                    let reason = "the \(choice.kind.rawValue) \(choice.report.dedupKey) was not queued: \(error)"
                    logger.error(
                        "a report could not be rendered and was left out",
                        metadata: [
                            "kind": "\(choice.kind.rawValue)", "dedup_key": "\(choice.report.dedupKey)",
                            "reason": "\(error)",
                        ])
                    outcome.unrendered.append(reason)
                }
            }
            outcome.queued += try await OutboxStore.enqueue(messages, on: connection)
        }
        return outcome
    }

    /// The reports of `window` worth queueing at `now`: with recipients, a key not queued before (in the
    /// outbox or earlier in this call), and for a digest, content that differs from the last digest to
    /// the same recipients or a last digest older than the repeat interval.
    private func choose(
        _ window: ArraySlice<Report>, now: Date, seen: inout Set<String>, on connection: PGConnection
    ) async throws -> [(report: Report, kind: OutboxMessage.Kind, contentDigest: [UInt8])] {
        // Worth a round trip for many reports (a rerun renders none of them); one report — a flag
        // notice in a person's action — is rendered and left to the insert, which skips a key already there.
        let queuedKeys =
            window.count > 1 ? try await OutboxStore.existingKeys(window.map(\.dedupKey), on: connection) : []
        let digestTargets = window.filter(\.isDigest).compactMap { report in
            OutboxMessage.Kind(rawValue: report.kind.rawValue).map {
                OutboxStore.Target(kind: $0, recipient: OutboxMessage.recipientKey(report.recipients.map(\.email)))
            }
        }
        var last = try await OutboxStore.lastMessages(to: digestTargets, on: connection)
        // The digest (JSON and SHA-256 of the report) is worked out once, here, and stored with the message.
        var chosen: [(report: Report, kind: OutboxMessage.Kind, contentDigest: [UInt8])] = []
        for report in window {
            let recipients = report.recipients.map(\.email)
            guard !recipients.isEmpty, let kind = OutboxMessage.Kind(rawValue: report.kind.rawValue),
                !queuedKeys.contains(report.dedupKey), seen.insert(report.dedupKey).inserted
            else { continue }
            let digest = report.contentDigest
            if report.isDigest {
                let target = OutboxStore.Target(kind: kind, recipient: OutboxMessage.recipientKey(recipients))
                guard
                    LastOutboxMessage.isWorthSending(
                        contentDigest: digest, after: last[target], now: now, repeatInterval: digestRepeatInterval)
                else { continue }
                // A second digest to the same recipients in this window is measured against this one.
                last[target] = LastOutboxMessage(
                    id: 0, state: .queued, contentDigest: digest, createdAt: now, sentAt: nil)
            }
            chosen.append((report, kind, digest))
        }
        return chosen
    }

    /// Each of `reports` rendered, or why it could not be, in order, shared among as many tasks as there
    /// are cores. A window is at most 512 reports and a digest takes about a third of a millisecond, so a
    /// task renders under a tenth of a second's worth and never holds a pool thread for long, while even a
    /// handful is worth sharing.
    private func render(_ reports: [Report], date: Date) async throws -> [Result<RenderedReport, any Error>] {
        let renderer = self.renderer
        return try await reports.concurrentMap(minimumPart: 8) { report in
            Result { try renderer.render(report, date: date) }
        }
    }

    /// Employer and rep digests as of `asOf` — called by the nightly run inside its transaction.
    public func queueDigests(asOf: CalendarDate, on connection: PGConnection) async throws -> Outcome {
        let employers = try await ReportGatherer.employerDigests(asOf: asOf, on: connection)
        let reps = try await ReportGatherer.repDigests(asOf: asOf, on: connection)
        return try await queueReporting(
            employers.map(Report.employerDigest) + reps.map(Report.repDigest), on: connection)
    }

    /// The reminders whose ladder day is `asOf` (the `return-reminders` job), in one transaction.
    public func queueReminders(asOf: CalendarDate, pool: PGPool) async throws -> Outcome {
        try await pool.withTransaction { connection in
            try await queueReporting(
                try await ReportGatherer.reminders(asOf: asOf, on: connection).map(Report.reminder), on: connection)
        }
    }

    /// The weekly summary for the week before `weekEnding` (the `weekly-summary` job); nothing queued
    /// when no admin is there to receive it.
    public func queueWeeklySummary(weekEnding: CalendarDate, pool: PGPool) async throws -> Outcome {
        // The outcomes are read from the figures kept per return version, before the queueing transaction.
        let headline = try await Outcomes(pool: pool).report().map(WeeklySummary.OutcomesHeadline.init)
        return try await pool.withTransaction { connection in
            guard var summary = try await ReportGatherer.weeklySummary(weekEnding: weekEnding, on: connection) else {
                return Outcome()
            }
            summary.outcomes = headline
            return try await queueReporting([.weeklySummary(summary)], on: connection)
        }
    }

    /// The notices flag event `eventID` calls for — called by `FlagStore.act` inside its transaction.
    public func queueFlagNotices(eventID: Int64, on connection: PGConnection) async throws -> Int {
        try await queue(
            try await ReportGatherer.flagNotices(eventID: eventID, on: connection).map(Report.flagNotice),
            on: connection)
    }
}

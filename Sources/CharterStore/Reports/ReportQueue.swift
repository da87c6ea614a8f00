public import CharterDomain
public import Foundation
public import PGClient

/// Gathers reports, renders them with an injected `ReportRendering` and queues them in the outbox
/// on the caller's connection, inside the transaction of the change that causes them (SPEC §7).
///
/// Every message has a unique key (`Report.dedupKey`), so a rerun or a retried transaction queues
/// nothing twice. A digest is also held back when its content (`Report.contentDigest`) is what the
/// last digest to the same recipients said, until `digestRepeatInterval` has passed since that one.
public struct ReportQueue: Sendable {
    public var renderer: any ReportRendering
    /// How long an unchanged digest waits before it is sent again. Default: 7 days; nil never repeats.
    public var digestRepeatInterval: TimeInterval?
    /// The time messages are dated and the repeat interval is measured at. Default: the system clock.
    public var clock: @Sendable () -> Date

    public init(
        renderer: any ReportRendering, digestRepeatInterval: TimeInterval? = 7 * 86_400,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.renderer = renderer
        self.digestRepeatInterval = digestRepeatInterval
        self.clock = clock
    }

    /// Renders and queues `report` on `connection` (inside the caller's transaction).
    ///
    /// - Returns: whether it was queued: false when its key is in the outbox already, or it is a
    ///   digest whose content has not changed since the last one to these recipients within the
    ///   repeat interval.
    @discardableResult
    public func queue(_ report: Report, on connection: PGConnection) async throws -> Bool {
        let recipients = report.recipients.map(\.email)
        guard !recipients.isEmpty, let kind = OutboxMessage.Kind(rawValue: report.kind.rawValue) else { return false }
        let now = clock()
        let digest = report.contentDigest
        if report.isDigest {
            let last = try await OutboxStore.lastMessage(
                kind: kind, recipient: OutboxMessage.recipientKey(recipients), on: connection)
            guard
                LastOutboxMessage.isWorthSending(
                    contentDigest: digest, after: last, now: now, repeatInterval: digestRepeatInterval)
            else { return false }
        }
        let rendered = try renderer.render(report, date: now)
        return try await OutboxStore.enqueue(
            OutboxMessage(
                kind: kind, dedupKey: report.dedupKey, sender: rendered.from, recipients: rendered.recipients,
                subject: rendered.subject, message: rendered.message, contentDigest: digest),
            on: connection)
    }

    /// Queues each report in turn; how many were queued.
    public func queue(_ reports: [Report], on connection: PGConnection) async throws -> Int {
        var queued = 0
        for report in reports where try await queue(report, on: connection) { queued += 1 }
        return queued
    }

    /// Employer and rep digests as of `asOf` — called by the nightly run inside its transaction.
    public func queueDigests(asOf: CalendarDate, on connection: PGConnection) async throws -> Int {
        let employers = try await ReportGatherer.employerDigests(asOf: asOf, on: connection)
        let reps = try await ReportGatherer.repDigests(asOf: asOf, on: connection)
        return try await queue(employers.map(Report.employerDigest) + reps.map(Report.repDigest), on: connection)
    }

    /// The reminders whose ladder day is `asOf` (the `return-reminders` job), in one transaction.
    public func queueReminders(asOf: CalendarDate, pool: PGPool) async throws -> Int {
        try await pool.withTransaction { connection in
            try await queue(
                try await ReportGatherer.reminders(asOf: asOf, on: connection).map(Report.reminder), on: connection)
        }
    }

    /// The weekly summary for the week before `weekEnding` (the `weekly-summary` job); 0 when no
    /// admin is there to receive it.
    public func queueWeeklySummary(weekEnding: CalendarDate, pool: PGPool) async throws -> Int {
        try await pool.withTransaction { connection in
            guard let summary = try await ReportGatherer.weeklySummary(weekEnding: weekEnding, on: connection) else {
                return 0
            }
            return try await queue(.weeklySummary(summary), on: connection) ? 1 : 0
        }
    }

    /// The notices flag event `eventID` calls for — called by `FlagStore.act` inside its transaction.
    public func queueFlagNotices(eventID: Int64, on connection: PGConnection) async throws -> Int {
        try await queue(
            try await ReportGatherer.flagNotices(eventID: eventID, on: connection).map(Report.flagNotice),
            on: connection)
    }
}

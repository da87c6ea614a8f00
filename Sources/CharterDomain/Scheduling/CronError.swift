/// Why a cron expression was rejected: one sentence naming the field and the text that is wrong.
///
/// Schedules come from configuration that an operator typed, so the message has to point at the mistake
/// (`hour field "25" is out of range 0-23`) rather than say "invalid expression". An expression is never
/// partly accepted: one bad field rejects the whole schedule, so a typo cannot silently run a job at the
/// wrong time.
public struct CronError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The sentence for people, e.g. `hour field "25" is out of range 0-23`.
    public let message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

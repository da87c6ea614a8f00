public import Foundation
public import Scheduling
import Synchronization

/// Collects scheduler events so a test can wait for them instead of sleeping.
public final class SchedulerEventLog: Sendable {
    private let events = Mutex<[SchedulerEvent]>([])
    private let (stream, continuation) = AsyncStream<SchedulerEvent>.makeStream()

    public init() {}

    /// What to give a `Scheduler` as its `onEvent`.
    public var record: @Sendable (SchedulerEvent) -> Void {
        { event in
            self.events.withLock { $0.append(event) }
            self.continuation.yield(event)
        }
    }

    public var all: [SchedulerEvent] { events.withLock { $0 } }

    /// Waits until the events so far satisfy `condition`.
    public func waitUntil(_ condition: @escaping ([SchedulerEvent]) -> Bool) async {
        if condition(all) { return }
        for await _ in stream where condition(all) { return }
    }

    /// The events about the occurrence scheduled for `at`.
    public static func about(_ at: Date, _ events: [SchedulerEvent]) -> [SchedulerEvent] {
        events.filter {
            switch $0 {
            case .ran(_, let when, _, _), .skipped(_, let when), .lostLease(_, let when): when == at
            }
        }
    }

    /// Whether `event` is an occurrence run to its end.
    public static func ran(_ event: SchedulerEvent) -> Bool {
        if case .ran = event { return true }
        return false
    }
}

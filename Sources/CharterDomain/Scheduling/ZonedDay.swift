import Foundation

/// One local calendar date in a time zone: how its wall-clock times map to instants, clock changes included.
///
/// The UTC offsets in force around the date are read from the time zone once, as a few segments of
/// constant offset, so that resolving each candidate wall time of a schedule is arithmetic only. All times
/// are whole seconds since 1970-01-01: "wall seconds" count local time as if it were UTC.
struct ZonedDay {
    /// A stretch of instants `[start, end)` with one UTC offset; nil ends are unbounded.
    private struct Segment {
        var start: Int?
        var end: Int?
        var offset: Int

        func contains(_ instant: Int) -> Bool {
            (start.map { instant >= $0 } ?? true) && (end.map { instant < $0 } ?? true)
        }
    }

    /// In time order, covering every instant any wall time of the date can resolve to.
    private let segments: [Segment]

    /// The smallest offset in force around the date: no wall time `w` resolves later than `w - smallestOffset`.
    let smallestOffset: Int

    init(_ date: CalendarDate, in timeZone: TimeZone) {
        let day = 86_400
        let wallStart = date.daysSinceEpoch * day
        // UTC offsets lie within -12 h…+14 h, so a wall time of this date is an instant within a day of it.
        let windowStart = wallStart - day
        let windowEnd = wallStart + 2 * day
        var cursor = Date(timeIntervalSince1970: TimeInterval(windowStart))
        var segments = [Segment(start: nil, end: nil, offset: timeZone.secondsFromGMT(for: cursor))]
        while let transition = timeZone.nextDaylightSavingTimeTransition(after: cursor),
            transition.timeIntervalSince1970 < TimeInterval(windowEnd)
        {
            let instant = Int(transition.timeIntervalSince1970.rounded(.down))
            segments[segments.count - 1].end = instant
            segments.append(Segment(start: instant, end: nil, offset: timeZone.secondsFromGMT(for: transition)))
            cursor = transition
        }
        self.segments = segments
        self.smallestOffset = segments.map(\.offset).min()!
    }

    /// The instant a wall-clock time of this date stands for, by the rules of SPEC §6.
    ///
    /// A wall time that happens twice (clocks go back) is its first occurrence, so a job runs once, and as
    /// soon as it can. A wall time that does not exist (clocks go forward) is the first valid minute after
    /// it — the moment the clocks change — so the job still runs that day, as late as it has to and no later.
    func instant(atWallSeconds wall: Int) -> Int {
        for segment in segments where segment.contains(wall - segment.offset) {
            return wall - segment.offset
        }
        // In a gap: the first segment whose first wall time is after `wall` starts at the next valid time.
        for segment in segments.dropFirst() {
            guard let start = segment.start, start + segment.offset > wall else { continue }
            let second = ((start + segment.offset) % 60 + 60) % 60
            return second == 0 ? start : start + 60 - second
        }
        return wall - segments[segments.count - 1].offset  // unreachable with a well-formed time zone
    }
}

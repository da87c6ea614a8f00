public import Foundation

/// The workers of one return that a rule is about (e.g. those paid below the Real Living Wage), as the
/// grouped SQL pass over the return's worker lines sums them up.
///
/// Only the figures a flag's evidence shows are kept, never the lines themselves, so a return of a
/// million lines still evaluates from a few hundred bytes.
public struct WorkerGroup: Sendable, Hashable, Codable {
    /// How many workers are in the group (all of them, however many `workerRefs` lists).
    public var count: Int
    /// The first 100 of their `worker_ref`s in ascending byte order (SQL `ORDER BY worker_ref COLLATE "C"`),
    /// so the evidence names the same workers on every run.
    public var workerRefs: [String]
    /// The lowest rate paid to a worker in the group (`least(hourly_rate, overtime_rate)`), for pay
    /// groups; nil for groups that are not about pay, or an empty group.
    public var lowestRate: Decimal?
    /// The largest gap, in £ per hour, between the rate a worker in the group should get and the lowest
    /// rate they are paid; nil for groups that are not about pay, or an empty group.
    public var largestShortfall: Decimal?

    /// At most this many refs are carried; `count` still says how many workers there are.
    public static let maximumRefs = 100

    public init(count: Int, workerRefs: [String] = [], lowestRate: Decimal? = nil, largestShortfall: Decimal? = nil) {
        self.count = count
        self.workerRefs = workerRefs
        self.lowestRate = lowestRate
        self.largestShortfall = largestShortfall
    }

    /// No workers: what a group is when no line matches.
    public static let none = WorkerGroup(count: 0)

    /// Whether any worker is in the group.
    public var isEmpty: Bool { count == 0 }

    enum CodingKeys: String, CodingKey {
        case count
        case workerRefs = "worker_refs"
        case lowestRate = "lowest_rate"
        case largestShortfall = "largest_shortfall"
    }
}

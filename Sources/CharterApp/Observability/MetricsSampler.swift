import CharterDomain
import CharterStore
public import Logging
import Metrics
public import PGClient
public import ServiceLifecycle

/// Keeps the gauges that need a query — flags by state and severity, outbox messages by state — fresh,
/// with one cheap grouped query each every `interval` (default 30 s), never per scrape.
///
/// Several instances sharing the database each report the same totals; sum nothing across instances.
public struct MetricsSampler: Service, CustomStringConvertible {
    let pool: PGPool
    let interval: Duration
    let logger: Logger

    public init(pool: PGPool, interval: Duration = .seconds(30), logger: Logger) {
        self.pool = pool
        self.interval = interval
        self.logger = logger
    }

    /// One gauge this sampler sets.
    enum Series: Hashable {
        case flags(state: String, severity: String)
        case outbox(state: String)

        var gauge: Gauge {
            switch self {
            case .flags(let state, let severity):
                Gauge(label: "charter_flags", dimensions: [("state", state), ("severity", severity)])
            case .outbox(let state):
                Gauge(label: "charter_outbox_messages", dimensions: [("state", state)])
            }
        }
    }

    /// Every series whose label values are known in advance: each flag state with each severity a flag can
    /// have, and each outbox state. They are exported from the first sample on, at zero when nothing is
    /// counted, so an alert rule such as "dead messages > 0" works on an empty or quiet database without
    /// `absent()`.
    static let knownSeries: Set<Series> = {
        var series: Set<Series> = []
        for state in FlagState.allCases {
            for severity in Severity.allCases where severity != .off {
                series.insert(.flags(state: state.rawValue, severity: severity.rawValue))
            }
        }
        for state in OutboxMessageState.allCases { series.insert(.outbox(state: state.rawValue)) }
        return series
    }()

    /// How ServiceLifecycle names it in its logs (the default would print the pool and logger).
    public var description: String { "MetricsSampler" }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var seen = Self.knownSeries
            while !Task.isCancelled {
                do {
                    seen = try await sample(zeroing: seen)
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("cannot sample flag and outbox counts for metrics", metadata: ["error": "\(error)"])
                }
                do { try await Task.sleep(for: interval) } catch { return }
            }
        }
    }

    /// Reads the counts and sets the gauges; a series seen before (or known in advance) and gone now is set
    /// to 0, so a state that empties does not keep its last count.
    func sample(zeroing previous: Set<Series>) async throws -> Set<Series> {
        let flags = try await FlagStore(pool: pool).census().map {
            (Series.flags(state: $0.state, severity: $0.severity), $0.count)
        }
        let outbox = try await OutboxStore(pool: pool).census().map { (Series.outbox(state: $0.state), $0.count) }
        let counts = flags + outbox
        for (series, count) in counts { series.gauge.record(count) }
        let current = Set(counts.map(\.0))
        for series in previous.union(Self.knownSeries).subtracting(current) { series.gauge.record(0) }
        return current
    }
}

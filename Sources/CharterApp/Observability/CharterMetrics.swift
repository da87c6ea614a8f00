import CharterStore
import Metrics
public import PGClient
public import Prometheus

/// charterd's metrics: the one Prometheus registry of the process and the names it exposes on `/metrics`.
///
/// Everything records through swift-metrics (`Counter`, `Timer`, `Gauge`), Hummingbird's
/// `MetricsMiddleware` included, so the registry must be the process's `MetricsSystem` backend. swift-metrics
/// allows that bootstrap once per process; `registry` does it the first time it is read, so charterd and
/// every test that builds a router share one registry and nobody bootstraps twice.
public enum CharterMetrics {
    /// The process's registry, bootstrapped into `MetricsSystem` on first use.
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Hummingbird's names are dotted (`http.server.request.duration`); Prometheus wants underscores.
        factory.nameAndLabelSanitizer = { name, labels in
            (prometheusName(name), labels.map { (prometheusName($0.0), $0.1) })
        }
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300),
            .seconds(900), .seconds(3600),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Makes sure the registry is the `MetricsSystem` backend before anything creates a metric:
    /// a metric created before the bootstrap records into nothing, forever.
    public static func bootstrap() {
        _ = registry
    }

    /// The text Prometheus scrapes, after refreshing the pool gauges (two locks and four integers).
    public static func exposition(pool: PGPool?) -> [UInt8] {
        if let pool { recordPoolStatistics(pool) }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        return buffer
    }

    static func prometheusName(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" ? $0 : "_" })
    }

    // MARK: Database pool

    private static let poolIdle = Gauge(label: "charter_db_pool_connections", dimensions: [("state", "idle")])
    private static let poolInUse = Gauge(label: "charter_db_pool_connections", dimensions: [("state", "in_use")])
    private static let poolWaiting = Gauge(label: "charter_db_pool_waiting_leases")
    private static let poolQueued = Gauge(label: "charter_db_pool_queued_statements")
    private static let poolAcquireWait = Metrics.Timer(label: "charter_db_pool_acquire_wait_seconds")
    private static let statementWait = Metrics.Timer(label: "charter_db_pool_statement_wait_seconds")

    static func recordPoolStatistics(_ pool: PGPool) {
        let statistics = pool.statistics
        poolIdle.record(statistics.idle)
        poolInUse.record(statistics.inUse)
        poolWaiting.record(statistics.waiting)
        poolQueued.record(pool.queuedStatements)
    }

    /// For `PGPoolConfiguration.onAcquireWait`: how long leases waited when every connection was busy.
    public static let recordAcquireWait: @Sendable (Duration) -> Void = { waited in
        poolAcquireWait.recordNanoseconds(nanoseconds(waited))
    }

    /// For `PGPoolConfiguration.onStatementWait`: how long each pooled statement waited to be sent.
    public static let recordStatementWait: @Sendable (Duration) -> Void = { waited in
        statementWait.recordNanoseconds(nanoseconds(waited))
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }

    // MARK: Outbox delivery

    /// For `OutboxDelivery`'s `onEvent`: delivery outcomes by kind.
    public static let recordOutboxEvent: @Sendable (OutboxDelivery.Event) -> Void = { event in
        let outcome: String
        switch event {
        case .sent: outcome = "sent"
        case .sentAfterLosingLease: outcome = "sent_after_losing_lease"
        case .failed(_, let state, _): outcome = state == .dead ? "dead" : "retry"
        case .skipped: outcome = "skipped"
        case .released(let ids):
            Counter(label: "charter_outbox_deliveries_total", dimensions: [("outcome", "released")])
                .increment(by: ids.count)
            return
        case .idle, .listening: return
        }
        Counter(label: "charter_outbox_deliveries_total", dimensions: [("outcome", outcome)]).increment()
    }
}

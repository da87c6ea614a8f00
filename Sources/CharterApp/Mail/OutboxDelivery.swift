public import CharterStore
public import Foundation
public import Logging
public import PGClient
public import Scheduling
public import ServiceLifecycle

/// The `outbox-delivery` job of SPEC §6: sends queued emails through a transport, with retry and backoff.
///
/// It loops: claim a batch of due messages (`OutboxStore.claim`, under a lease), hand each to the
/// transport, record the outcome. It wakes on `NOTIFY outbox` (sent when a message is queued or
/// requeued) and every `pollInterval`, which finds retries that came due and messages whose worker
/// died (their lease ran out). Any number of instances may run on one database; each message goes to
/// one of them at a time.
///
/// Delivery is at least once: if this worker dies, or its database stays unreachable for half a lease,
/// after the server accepted a message but before `sent` is recorded, the lease runs out and a worker
/// sends it again. That window is one message wide per worker; a database gone for a moment (a
/// failover) only delays the record, which is retried. Outside it nothing is sent twice and nothing is
/// lost.
///
/// On graceful shutdown it finishes the message in hand, gives the rest of its batch back (`release`,
/// due at once for the next worker) and returns. When cancelled outright it stops where it is; what it
/// had claimed is taken over when the lease runs out.
public final class OutboxDelivery: Service, Sendable {
    public struct Configuration: Sendable {
        /// Messages claimed at once. Default 10.
        public var batchSize = 10
        /// How long a claim holds. Each message's claim is renewed just before it is sent, so this must
        /// outlast the delivery of one message (the transport's own timeouts), not a batch. Default 300 s.
        public var lease: TimeInterval = 300
        /// How often to look for retries come due and abandoned claims, besides NOTIFY. Default 15 seconds.
        public var pollInterval: TimeInterval = 15
        /// Backoff and the attempts limit for transient failures. Default `OutboxRetryPolicy()`.
        public var retry = OutboxRetryPolicy()

        public init() {}
    }

    /// What a worker did, for logs and tests.
    public enum Event: Sendable, Hashable {
        /// The transport delivered the message and it is recorded `sent`.
        case sent(id: Int64)
        /// The transport delivered the message but this worker's lease had been taken over meanwhile,
        /// so the other worker sends it too (the at-least-once window).
        case sentAfterLosingLease(id: Int64)
        /// The attempt failed; the message is `queued` for `nextAttemptAt` or `dead`.
        case failed(id: Int64, state: OutboxMessageState, nextAttemptAt: Date?)
        /// A claimed message another worker took over before this one got to it (its lease ran out
        /// while the batch was slow); not sent by this worker.
        case skipped(id: Int64)
        /// Claimed messages given back untried on shutdown.
        case released(ids: [Int64])
        /// A pass found nothing (more) due.
        case idle
        /// The worker is listening for `NOTIFY outbox` (again, after a lost connection).
        case listening
    }

    /// This worker's name in `claimed_by`.
    public let worker: String
    private let store: OutboxStore
    private let listenConninfo: String?
    private let transport: any OutboxTransport
    private let clock: any JobClock
    private let configuration: Configuration
    private let logger: Logger
    private let onEvent: @Sendable (Event) -> Void

    /// - Parameters:
    ///   - listenConninfo: where to `LISTEN outbox`; nil to rely on polling alone.
    ///   - worker: unique per running instance; the default is host, process and a random suffix.
    public init(
        pool: PGPool, listenConninfo: String?, transport: any OutboxTransport,
        worker: String = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.prefix(8))",
        clock: any JobClock = SystemJobClock(), configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "charter.outbox"), onEvent: @escaping @Sendable (Event) -> Void = { _ in }
    ) {
        self.store = OutboxStore(pool: pool)
        self.listenConninfo = listenConninfo
        self.transport = transport
        self.worker = worker
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
        self.onEvent = onEvent
    }

    public func run() async throws {
        // Wake-ups collapse into one: a pass claims everything due, however many NOTIFYs came.
        let (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        wake.yield()  // messages queued while no worker ran
        await withTaskGroup(of: Void.self) { group in
            if let listenConninfo {
                let onEvent = onEvent
                let listener = PGListener(
                    conninfo: listenConninfo, channels: [OutboxStore.channel], logger: logger,
                    onListening: { _ in onEvent(.listening) })
                group.addTask {
                    do {
                        for try await _ in listener { wake.yield() }
                    } catch {
                        // The listener reconnects by itself; it ends only when cancelled. Polling carries on.
                    }
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    do {
                        try await self.clock.sleep(
                            until: self.clock.now().addingTimeInterval(self.configuration.pollInterval))
                    } catch {
                        return
                    }
                    wake.yield()
                }
            }
            await withGracefulShutdownHandler {
                for await _ in wakes {
                    if Task.isShuttingDownGracefully || Task.isCancelled { break }
                    await self.drain()
                }
            } onGracefulShutdown: {
                wake.finish()
            }
            group.cancelAll()
        }
        logger.debug("outbox delivery stopped", metadata: ["worker": "\(worker)"])
    }

    /// Claims and delivers batches until nothing is due or the service is stopping.
    func drain() async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let batch: [OutboxEnvelope]
            do {
                batch = try await store.claim(
                    limit: configuration.batchSize, worker: worker, lease: configuration.lease, now: clock.now())
            } catch {
                if !Task.isCancelled {
                    logger.error("cannot claim outbox messages", metadata: ["error": "\(error)"])
                }
                return
            }
            if batch.isEmpty {
                onEvent(.idle)
                return
            }
            var pending = batch[...]
            await transport.deliverEach(
                next: {
                    while let envelope = pending.popFirst() {
                        if Task.isShuttingDownGracefully || Task.isCancelled {
                            await release([envelope.id] + pending.map(\.id))
                            pending = []
                            return nil
                        }
                        if await renewClaim(envelope) { return envelope }
                    }
                    return nil
                },
                delivered: { envelope, result in await record(envelope, result) })
            // A transport that stopped asking (cancelled) leaves the rest: give them back now.
            await release(pending.map(\.id))
        }
    }

    /// Extends this worker's claim on `envelope` just before it is sent; false when another worker
    /// has taken it over (or the claim cannot be renewed), so it must not be sent. A database gone for a
    /// moment is waited for, a tenth of the lease at most: otherwise every message left in the batch
    /// would wait for its lease to run out.
    private func renewClaim(_ envelope: OutboxEnvelope) async -> Bool {
        let renewed = await persistently(
            "renew the claim", for: envelope, patience: .seconds(configuration.lease / 10)
        ) {
            try await self.store.renewClaim(
                id: envelope.id, worker: self.worker, lease: self.configuration.lease, now: self.clock.now())
        }
        guard let renewed else { return false }
        if !renewed {
            logger(for: envelope).warning("another worker took the email over; not sending it")
            onEvent(.skipped(id: envelope.id))
        }
        return renewed
    }

    /// `body`'s result, waiting out a database gone for a moment for up to `patience`; nil when it never
    /// succeeded (logged as an error), or the task was cancelled.
    private func persistently<Value: Sendable>(
        _ what: String, for envelope: OutboxEnvelope, patience: Duration, _ body: () async throws -> Value
    ) async -> Value? {
        await PGPatience.retrying(
            for: patience,
            report: { error, givingUp in
                if givingUp {
                    logger(for: envelope).error(
                        "cannot \(what); leaving it to the lease", metadata: ["error": "\(error)"])
                } else {
                    logger(for: envelope).warning("cannot \(what) yet; trying again", metadata: ["error": "\(error)"])
                }
            }, body)
    }

    private func logger(for envelope: OutboxEnvelope) -> Logger {
        var messageLogger = logger
        messageLogger[metadataKey: "outbox_id"] = "\(envelope.id)"
        messageLogger[metadataKey: "attempt"] = "\(envelope.attempt)"
        return messageLogger
    }

    /// Records how the delivery of `envelope` went.
    private func record(_ envelope: OutboxEnvelope, _ result: Result<DeliveryOutcome, any Error>) async {
        let messageLogger = logger(for: envelope)
        let outcome: DeliveryOutcome
        switch result {
        case .success(let delivered): outcome = delivered
        case .failure(is CancellationError):
            await release([envelope.id])
            return
        case .failure(let error): outcome = .transient(reply: "\(error)")
        }
        let now = clock.now()
        // The outcome must reach the database before the lease runs out, or another worker sends the
        // message again: a database gone for a moment is waited for, half the lease at most. Past that
        // the lease runs out and another attempt is made: at least once.
        _ = await persistently(
            "record the delivery outcome", for: envelope, patience: .seconds(configuration.lease / 2)
        ) {
            try await self.recordOnce(envelope, outcome, now: now, logger: messageLogger)
        }
    }

    /// Records `outcome` for `envelope` once; throws when the database cannot be reached.
    private func recordOnce(
        _ envelope: OutboxEnvelope, _ outcome: DeliveryOutcome, now: Date, logger messageLogger: Logger
    ) async throws {
        switch outcome {
        case .sent:
            if try await store.markSent(id: envelope.id, worker: worker, now: now) {
                messageLogger.info("email sent")
                onEvent(.sent(id: envelope.id))
            } else {
                messageLogger.warning("email sent after another worker took it over; it may arrive twice")
                onEvent(.sentAfterLosingLease(id: envelope.id))
            }
        case .transient(let reply), .permanent(let reply):
            let transient = if case .transient = outcome { true } else { false }
            guard
                let result = try await store.markFailed(
                    id: envelope.id, worker: worker, transient: transient, reply: reply, now: now,
                    policy: configuration.retry)
            else {
                messageLogger.warning("email failed after another worker took it over")
                return
            }
            messageLogger.log(
                level: result.state == .dead ? .error : .warning, "email not delivered",
                metadata: ["state": "\(result.state.rawValue)", "reply": "\(reply)"])
            onEvent(.failed(id: envelope.id, state: result.state, nextAttemptAt: result.nextAttemptAt))
        }
    }

    private func release(_ ids: [Int64]) async {
        guard !ids.isEmpty else { return }
        do {
            try await store.release(ids: ids, worker: worker)
            onEvent(.released(ids: ids))
        } catch {
            // Cancelled outright, or the database is gone: the lease runs out instead.
            logger.warning("cannot give back claimed emails; their lease will run out", metadata: ["error": "\(error)"])
        }
    }
}

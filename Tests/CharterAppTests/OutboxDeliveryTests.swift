import CharterApp
import CharterStore
import Foundation
import Logging
import PGClient
import Scheduling
import SchedulingTestSupport
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

/// A transport that records what it was given and answers as told (by default: sent).
final class RecordingTransport: OutboxTransport {
    private let state = Mutex<[OutboxEnvelope]>([])
    private let answer: @Sendable (OutboxEnvelope) async -> DeliveryOutcome

    init(answer: @escaping @Sendable (OutboxEnvelope) async -> DeliveryOutcome = { _ in .sent }) {
        self.answer = answer
    }

    var delivered: [OutboxEnvelope] { state.withLock { $0 } }

    func deliver(_ envelope: OutboxEnvelope) async throws -> DeliveryOutcome {
        state.withLock { $0.append(envelope) }
        return await answer(envelope)
    }
}

/// A switch a test turns off while a transport reads it.
final class Switch: Sendable {
    private let on = Mutex(true)
    var isOn: Bool { on.withLock { $0 } }
    func turnOff() { on.withLock { $0 = false } }
}

/// The events of the workers in a test, awaited in order instead of sleeping.
struct DeliveryEvents {
    let stream: AsyncStream<OutboxDelivery.Event>
    let continuation: AsyncStream<OutboxDelivery.Event>.Continuation

    init() { (stream, continuation) = AsyncStream.makeStream() }

    var record: @Sendable (OutboxDelivery.Event) -> Void {
        let continuation = continuation
        return { continuation.yield($0) }
    }

    /// Waits for the first event `matching` returns a value for (ignoring others).
    func next<T>(_ matching: (OutboxDelivery.Event) -> T?) async throws -> T {
        for await event in stream {
            if let value = matching(event) { return value }
        }
        throw CancellationError()
    }

    /// Waits for the next event, whatever it is.
    func next() async throws -> OutboxDelivery.Event { try await next { $0 } }

    /// Waits for `event` (ignoring others).
    func expect(_ event: OutboxDelivery.Event) async throws {
        _ = try await next { $0 == event ? () : nil }
    }

    /// Waits for the next message sent; its id.
    func nextSent() async throws -> Int64 {
        try await next { event -> Int64? in
            guard case .sent(let id) = event else { return nil }
            return id
        }
    }

    /// Waits for the next failed attempt: the state it left the message in and when it is tried again.
    func nextFailure() async throws -> (state: OutboxMessageState, next: Date?) {
        try await next { event -> (OutboxMessageState, Date?)? in
            guard case .failed(_, let state, let next) = event else { return nil }
            return (state, next)
        }
    }
}

/// A manual clock an hour ahead of the database's, in whole seconds, so what a test queues is due
/// however slowly a loaded machine runs it.
func aheadOfTheDatabase() -> ManualJobClock {
    ManualJobClock(now: Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 3600).rounded(.down)))
}

/// Runs `services` in a ServiceGroup for the duration of `body`, then shuts the group down
/// gracefully, as SIGTERM does, and waits for it to end.
func runningServices<T: Sendable>(_ services: [any Service], _ body: () async throws -> T) async throws -> T {
    let group = ServiceGroup(
        configuration: .init(services: services.map { .init(service: $0) }, logger: Logger(label: "test")))
    let task = Task { try await group.run() }
    do {
        let result = try await body()
        await group.triggerGracefulShutdown()
        try await task.value
        return result
    } catch {
        task.cancel()
        _ = try? await task.value
        throw error
    }
}

@Suite("Outbox delivery", .timeLimit(.minutes(10)))
struct OutboxDeliveryTests {
    let conninfo: String
    let pool: PGPool
    var store: OutboxStore { OutboxStore(pool: pool) }

    init() async throws {
        let database = try await MigratedDatabase("outbox-delivery")
        conninfo = database.conninfo
        pool = database.pool
    }

    func message(_ key: String) -> OutboxMessage {
        let text = "From: charter@example.org\r\nTo: rep@example.org\r\nSubject: \(key)\r\n\r\nbody \(key)\r\n"
        return OutboxMessage(
            kind: .flagNotice, dedupKey: key, sender: "charter@example.org", recipients: ["rep@example.org"],
            subject: key, message: Array(text.utf8), contentDigest: OutboxMessage.digest(of: Array(key.utf8)))
    }

    @discardableResult
    func enqueue(_ keys: [String]) async throws -> [Int64] {
        try await pool.withTransaction { connection in
            for key in keys { try await OutboxStore.enqueue(message(key), on: connection) }
        }
        return try await store.list(limit: 10_000).filter { keys.contains($0.dedupKey) }.map(\.id).sorted()
    }

    func manualClock() -> ManualJobClock { aheadOfTheDatabase() }

    func running<T: Sendable>(_ services: [any Service], _ body: () async throws -> T) async throws -> T {
        try await runningServices(services, body)
    }

    @Test func twoWorkersDeliverEachOfTwoHundredMessagesExactlyOnce() async throws {
        let ids = try await enqueue((1...200).map { "m\($0)" })
        #expect(ids.count == 200)
        let events = DeliveryEvents()
        let transports = [RecordingTransport(), RecordingTransport()]
        var configuration = OutboxDelivery.Configuration()
        configuration.batchSize = 7
        let workers = transports.enumerated().map { index, transport in
            OutboxDelivery(
                pool: pool, listenConninfo: conninfo, transport: transport, worker: "worker-\(index)",
                configuration: configuration, onEvent: events.record)
        }
        try await running(workers) {
            var sent = 0
            while sent < 200 {
                _ = try await events.nextSent()
                sent += 1
            }
        }
        let delivered = transports.flatMap(\.delivered).map(\.id)
        #expect(delivered.count == 200)
        #expect(delivered.sorted() == ids)
        #expect(try await store.list(state: .sent, limit: 1_000).count == 200)
    }

    @Test func aNotifyWakesAnIdleWorker() async throws {
        let events = DeliveryEvents()
        let transport = RecordingTransport()
        // The clock never moves: only NOTIFY can wake the worker.
        let worker = OutboxDelivery(
            pool: pool, listenConninfo: conninfo, transport: transport, clock: manualClock(), onEvent: events.record)
        try await running([worker]) {
            var (listening, idle) = (false, false)
            while !(listening && idle) {
                switch try await events.next() {
                case .listening: listening = true
                case .idle: idle = true
                default: break
                }
            }
            let ids = try await enqueue(["notified"])
            let id = try await events.nextSent()
            #expect([id] == ids)
        }
        #expect(transport.delivered.map(\.recipients) == [["rep@example.org"]])
    }

    @Test func transientFailuresAreRetriedWithGrowingBackoffThenSent() async throws {
        let ids = try await enqueue(["flaky"])
        let events = DeliveryEvents()
        let transport = RecordingTransport { envelope in
            envelope.attempt < 3 ? .transient(reply: "451 4.7.1 greylisted") : .sent
        }
        let clock = manualClock()
        var configuration = OutboxDelivery.Configuration()
        configuration.retry.jitter = 0
        configuration.retry.base = 60
        configuration.pollInterval = 30
        let worker = OutboxDelivery(
            pool: pool, listenConninfo: nil, transport: transport, clock: clock, configuration: configuration,
            onEvent: events.record)
        try await running([worker]) {
            var pauses: [TimeInterval] = []
            for _ in 1...2 {
                let now = clock.now()
                let failure = try await events.nextFailure()
                #expect(failure.state == .queued)
                let next = try #require(failure.next)
                pauses.append(next.timeIntervalSince(now))
                await clock.waitForSleepers(1)
                clock.advance(to: next)
            }
            #expect(pauses == [60, 120])
            let sent = try await events.nextSent()
            #expect([sent] == ids)
        }
        #expect(transport.delivered.map(\.attempt) == [1, 2, 3])
        #expect(try await store.find(id: ids[0])?.state == .sent)
    }

    @Test func aPermanentFailureIsDeadWithTheReplyAndARequeueDeliversIt() async throws {
        let ids = try await enqueue(["bounce"])
        let events = DeliveryEvents()
        let refuse = Switch()
        let transport = RecordingTransport { _ in
            refuse.isOn ? .permanent(reply: "550 5.1.1 mailbox unavailable") : .sent
        }
        let worker = OutboxDelivery(
            pool: pool, listenConninfo: conninfo, transport: transport, clock: manualClock(), onEvent: events.record)
        try await running([worker]) {
            var (listening, state): (Bool, OutboxMessageState?) = (false, nil)
            while !listening || state == nil {
                switch try await events.next() {
                case .listening: listening = true
                case .failed(_, let failedState, _): state = failedState
                default: break
                }
            }
            #expect(state == .dead)
            let dead = try #require(try await store.find(id: ids[0]))
            #expect(dead.lastError == "550 5.1.1 mailbox unavailable")
            refuse.turnOff()
            _ = try await store.requeue(id: ids[0], actor: "test")
            let sent = try await events.nextSent()
            #expect([sent] == ids)
        }
    }

    @Test func aThrownTransportErrorIsTransientAndExhaustedRetriesAreDead() async throws {
        struct RelayDown: Error, CustomStringConvertible { var description: String { "connection refused" } }
        final class Throwing: OutboxTransport {
            func deliver(_ envelope: OutboxEnvelope) async throws -> DeliveryOutcome { throw RelayDown() }
        }
        let ids = try await enqueue(["unreachable"])
        let events = DeliveryEvents()
        let clock = manualClock()
        var configuration = OutboxDelivery.Configuration()
        configuration.retry.maxAttempts = 2
        let worker = OutboxDelivery(
            pool: pool, listenConninfo: nil, transport: Throwing(), clock: clock, configuration: configuration,
            onEvent: events.record)
        try await running([worker]) {
            let first = try await events.nextFailure()
            #expect(first.state == .queued)
            await clock.waitForSleepers(1)
            clock.advance(to: try #require(first.next))
            #expect(try await events.nextFailure().state == .dead)
        }
        let dead = try #require(try await store.find(id: ids[0]))
        #expect(dead.lastError == "connection refused")
        #expect(dead.attempts == 2)
    }

    @Test func aMessageClaimedByAKilledWorkerIsDeliveredByAnotherOnceItsLeaseRunsOut() async throws {
        let ids = try await enqueue(["orphan", "fresh"])
        let clock = manualClock()
        var configuration = OutboxDelivery.Configuration()
        configuration.lease = 120
        configuration.pollInterval = 30
        // The "killed" worker claimed the first message and never said how it went.
        let orphaned = try await store.claim(limit: 1, worker: "killed", lease: configuration.lease, now: clock.now())
        #expect(orphaned.map(\.id) == [ids[0]])
        let events = DeliveryEvents()
        let transport = RecordingTransport()
        let worker = OutboxDelivery(
            pool: pool, listenConninfo: nil, transport: transport, clock: clock, configuration: configuration,
            onEvent: events.record)
        try await running([worker]) {
            let first = try await events.nextSent()
            #expect(first == ids[1])
            try await events.expect(.idle)
            // Within the lease the orphan stays with the killed worker.
            await clock.waitForSleepers(1)
            clock.advance(to: clock.now().addingTimeInterval(configuration.lease - 1))
            try await events.expect(.idle)
            await clock.waitForSleepers(1)
            clock.advance(to: clock.now().addingTimeInterval(30))
            let second = try await events.nextSent()
            #expect(second == ids[0])
        }
        #expect(transport.delivered.map(\.id) == [ids[1], ids[0]])
        #expect(transport.delivered.map(\.attempt) == [1, 2])
        #expect(try await !store.markSent(id: ids[0], worker: "killed", now: clock.now()))
        #expect(try await store.list(state: .sent).count == 2)
    }

    @Test func aSlowWorkerWhoseClaimsWereTakenOverSendsNoMoreOfThem() async throws {
        let ids = try await enqueue(["slow-1", "slow-2"])
        let clock = manualClock()
        var configuration = OutboxDelivery.Configuration()
        configuration.lease = 60
        configuration.pollInterval = 30
        let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
        let (proceed, proceedContinuation) = AsyncStream.makeStream(of: Void.self)
        let transport = RecordingTransport { _ in
            startedContinuation.yield()
            for await _ in proceed { break }
            return .sent
        }
        let events = DeliveryEvents()
        let worker = OutboxDelivery(
            pool: pool, listenConninfo: nil, transport: transport, clock: clock, configuration: configuration,
            onEvent: events.record)
        try await running([worker]) {
            for await _ in started { break }
            // The first message hangs past the lease; another worker takes both over.
            await clock.waitForSleepers(1)
            clock.advance(to: clock.now().addingTimeInterval(61))
            let taken = try await store.claim(limit: 10, worker: "quick", lease: 60, now: clock.now())
            #expect(taken.map(\.id) == ids)
            proceedContinuation.yield()
            // The one in hand went out anyway — the at-least-once window — and is left to the other worker
            // to record; the one not yet tried is not sent by the slow worker.
            try await events.expect(.sentAfterLosingLease(id: ids[0]))
            try await events.expect(.skipped(id: ids[1]))
        }
        #expect(transport.delivered.map(\.id) == [ids[0]])
        #expect(try await store.find(id: ids[1])?.claimedBy == "quick")
    }

    @Test func gracefulShutdownFinishesTheMessageInHandAndGivesTheRestBack() async throws {
        let ids = try await enqueue(["one", "two", "three"])
        let events = DeliveryEvents()
        let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
        // The message in hand is finished only once the worker itself has been told to stop: the group's
        // triggerGracefulShutdown() only signals the task running the group, which tells the worker later.
        let transport = RecordingTransport { _ in
            startedContinuation.yield()
            try? await gracefulShutdown()
            return .sent
        }
        let worker = OutboxDelivery(
            pool: pool, listenConninfo: conninfo, transport: transport, clock: manualClock(), onEvent: events.record)
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: worker)], logger: Logger(label: "test")))
        let task = Task { try await group.run() }
        for await _ in started { break }
        await group.triggerGracefulShutdown()
        try await task.value  // run() returned: the group ended
        #expect(transport.delivered.map(\.id) == [ids[0]])
        #expect(try await store.find(id: ids[0])?.state == .sent)
        for id in ids.dropFirst() {
            let message = try #require(try await store.find(id: id))
            #expect(message.state == .queued)
            #expect(message.attempts == 0)
        }
        let released = try await events.next { event -> [Int64]? in
            guard case .released(let ids) = event else { return nil }
            return ids
        }
        #expect(released == Array(ids.dropFirst()))
    }

    @Test func withTransportNoneCharterdRunsNoDeliveryWorker() throws {
        var configuration = CharterConfiguration()
        configuration.mailTransport = .none
        let worker = try OutboxDelivery.daemonService(
            configuration: configuration, pool: pool, conninfo: conninfo, logger: Logger(label: "test"))
        #expect(worker == nil)
    }

    @Test func anUnusableSMTPURLStopsCharterdWithASentence() {
        var configuration = CharterConfiguration()
        configuration.mailTransport = .smtp
        configuration.smtpURL = "smtp://charter:secret@relay.example.org:587?starttls=off"
        let error = #expect(throws: ConfigurationError.self) {
            _ = try OutboxDelivery.daemonService(
                configuration: configuration, pool: pool, conninfo: conninfo, logger: Logger(label: "test"))
        }
        #expect(error?.description.hasPrefix("CHARTERD_SMTP_URL is not usable") == true)
        #expect(error?.description.contains("secret") == false)
    }

    @Test func cancellingTheGroupEndsTheWorker() async throws {
        let events = DeliveryEvents()
        let transport = RecordingTransport()
        let worker = OutboxDelivery(
            pool: pool, listenConninfo: conninfo, transport: transport, onEvent: events.record)
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: worker)], logger: Logger(label: "test")))
        let task = Task { try await group.run() }
        try await events.expect(.idle)
        task.cancel()
        _ = await task.result  // returns: nothing of the worker is left running
        let ids = try await enqueue(["after"])
        #expect(try await store.find(id: ids[0])?.state == .queued)
        #expect(transport.delivered.isEmpty)
    }
}

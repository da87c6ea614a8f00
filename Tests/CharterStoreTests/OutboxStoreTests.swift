import CharterStore
import Foundation
import PGClient
import Testing

/// A message for the tests: a tiny but complete RFC 5322 message, its key and content digest.
func outboxMessage(
    _ key: String, kind: OutboxMessage.Kind = .repDigest, to recipient: String = "rep@example.org",
    content: String = "3 new flags"
) -> OutboxMessage {
    let text =
        "From: charter@example.org\r\nTo: \(recipient)\r\nSubject: Digest \(key)\r\nMIME-Version: 1.0\r\n\r\n\(content)\r\n"
    return OutboxMessage(
        kind: kind, dedupKey: key, sender: "charter@example.org", recipients: [recipient], subject: "Digest \(key)",
        message: Array(text.utf8), contentDigest: OutboxMessage.digest(of: Array(content.utf8)))
}

@Suite("The outbox store", .timeLimit(.minutes(10)))
struct OutboxStoreTests {
    let fixture: StoreFixture
    var store: OutboxStore { OutboxStore(pool: fixture.pool) }
    /// Whole seconds, an hour ahead of the database's clock so everything a test queues is due, however
    /// slowly a loaded machine runs it.
    let t0: Date

    init() async throws {
        fixture = try await StoreFixture("outbox")
        t0 = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 3600).rounded(.down))
    }

    @discardableResult
    func enqueue(_ message: OutboxMessage) async throws -> Bool {
        try await fixture.pool.withTransaction { try await OutboxStore.enqueue(message, on: $0) }
    }

    var exact: OutboxRetryPolicy {
        var policy = OutboxRetryPolicy()
        policy.jitter = 0
        policy.maxAttempts = 4
        return policy
    }

    @Test func anEnqueueInARolledBackTransactionLeavesNothing() async throws {
        struct Abandon: Error {}
        await #expect(throws: Abandon.self) {
            try await fixture.pool.withTransaction { connection in
                #expect(try await OutboxStore.enqueue(outboxMessage("run-1"), on: connection))
                throw Abandon()
            }
        }
        #expect(try await fixture.count("SELECT count(*) FROM outbox_messages") == 0)
        #expect(try await store.claim(limit: 10, worker: "w", lease: 60, now: t0).isEmpty)
    }

    @Test func theSameDedupKeyQueuesOnce() async throws {
        #expect(try await enqueue(outboxMessage("rep-digest:rep@example.org:2026-11-27")))
        #expect(try await !enqueue(outboxMessage("rep-digest:rep@example.org:2026-11-27", content: "rerun")))
        #expect(try await fixture.count("SELECT count(*) FROM outbox_messages") == 1)
        let claimed = try await store.claim(limit: 10, worker: "w", lease: 60, now: t0)
        #expect(claimed.count == 1)
        #expect(claimed.first.map { String(decoding: $0.message, as: UTF8.self).contains("3 new flags") } == true)
    }

    @Test func eachInsertThatQueuedSomethingWakesTheWorkersOnceAndARepeatWakesNobody() async throws {
        let (listening, listeningContinuation) = AsyncStream<Int32>.makeStream()
        let (received, receivedContinuation) = AsyncStream<PGNotification>.makeStream()
        let listener = PGListener(conninfo: fixture.conninfo, channels: [OutboxStore.channel]) {
            listeningContinuation.yield($0)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await notification in listener { receivedContinuation.yield(notification) }
            }
            var pids = listening.makeAsyncIterator()
            var notifications = received.makeAsyncIterator()
            _ = await pids.next()

            // 130 messages go in two inserts (128 + 2): one notification each, naming its last message.
            let many = (1...130).map { outboxMessage("batch-\($0)") }
            #expect(try await fixture.pool.withTransaction { try await OutboxStore.enqueue(many, on: $0) } == 130)
            let ids = try await fixture.pool.withConnection {
                try await $0.query("SELECT id FROM outbox_messages ORDER BY id").map {
                    try $0.decode(Int64.self, at: 0)
                }
            }
            let first = try #require(await notifications.next())
            let second = try #require(await notifications.next())
            #expect([first.payload, second.payload] == [String(ids[127]), String(ids[129])])

            // Keys all queued before: nothing queued, nobody woken — the next notification is the new message's.
            let repeated = Array(many.prefix(3))
            #expect(try await fixture.pool.withTransaction { try await OutboxStore.enqueue(repeated, on: $0) } == 0)
            #expect(try await enqueue(outboxMessage("single")))
            let single = try await fixture.count("SELECT max(id)::int FROM outbox_messages")
            let third = try #require(await notifications.next())
            #expect(third.payload == String(single))
            group.cancelAll()
        }
    }

    @Test func aMessageWithoutRecipientsOrAProperDigestIsRefused() async throws {
        var none = outboxMessage("x")
        none.recipients = []
        await #expect(throws: CharterStoreError.self) { try await enqueue(none) }
        var short = outboxMessage("y")
        short.contentDigest = [1, 2, 3]
        await #expect(throws: CharterStoreError.self) { try await enqueue(short) }
    }

    @Test func theLastMessageToARecipientDecidesWhetherADigestIsWorthSending() async throws {
        let recipient = OutboxMessage.recipientKey(["Rep@Example.org"])
        #expect(try await store.lastMessage(kind: .repDigest, recipient: recipient) == nil)
        let first = outboxMessage("d1", to: "Rep@Example.org", content: "same")
        try await enqueue(first)
        try await enqueue(outboxMessage("other-kind", kind: .reminder, to: "rep@example.org", content: "x"))
        let last = try #require(try await store.lastMessage(kind: .repDigest, recipient: recipient))
        #expect(last.contentDigest == first.contentDigest)
        #expect(last.state == .queued)
        let now = last.createdAt.addingTimeInterval(3600)
        #expect(
            !LastOutboxMessage.isWorthSending(
                contentDigest: first.contentDigest, after: last, now: now, repeatInterval: 7 * 86400))
        #expect(
            LastOutboxMessage.isWorthSending(
                contentDigest: OutboxMessage.digest(of: Array("changed".utf8)), after: last, now: now,
                repeatInterval: 7 * 86400))
        #expect(
            LastOutboxMessage.isWorthSending(
                contentDigest: first.contentDigest, after: last, now: now.addingTimeInterval(7 * 86400),
                repeatInterval: 7 * 86400))
        // A dead message never arrived, so it does not count as the last one sent.
        let claimed = try await store.claim(limit: 10, worker: "w", lease: 60, now: t0)
        for message in claimed {
            try await store.markFailed(id: message.id, worker: "w", transient: false, reply: "550", now: t0)
        }
        #expect(try await store.lastMessage(kind: .repDigest, recipient: recipient) == nil)
    }

    @Test func aTransientFailureIsRetriedWithGrowingBackoffThenSent() async throws {
        try await enqueue(outboxMessage("retry"))
        var now = t0
        var pauses: [TimeInterval] = []
        for attempt in 1...3 {
            let claimed = try await store.claim(limit: 10, worker: "w", lease: 60, now: now)
            #expect(claimed.map(\.attempt) == [attempt])
            let id = try #require(claimed.first?.id)
            let result = try #require(
                try await store.markFailed(
                    id: id, worker: "w", transient: true, reply: "451 4.3.0 try later", now: now, policy: exact))
            #expect(result.state == .queued)
            let next = try #require(result.nextAttemptAt)
            pauses.append(next.timeIntervalSince(now))
            // Not due a moment before its time.
            #expect(try await store.claim(limit: 10, worker: "w", lease: 60, now: next.addingTimeInterval(-1)).isEmpty)
            now = next
        }
        #expect(pauses == [60, 120, 240])
        let listed = try #require(try await store.list(state: .queued).first)
        #expect(listed.lastError == "451 4.3.0 try later")
        let final = try await store.claim(limit: 10, worker: "w", lease: 60, now: now)
        #expect(final.map(\.attempt) == [4])
        #expect(try await store.markSent(id: try #require(final.first?.id), worker: "w", now: now))
        let sent = try #require(try await store.list(state: .sent).first)
        #expect(sent.attempts == 4)
        #expect(sent.sentAt == now)
        #expect(try await store.claim(limit: 10, worker: "w", lease: 60, now: now.addingTimeInterval(86400)).isEmpty)
    }

    /// A one-time link belongs to its recipient: once sent, the outbox keeps such a message's headers
    /// only; other messages are kept whole.
    @Test func aSentMessageCarryingALinkKeepsItsHeadersOnly() async throws {
        let link = "https://charter.example/set-password?token=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
        try await enqueue(outboxMessage("invitation:1", kind: .invitation, content: "Set your password: \(link)"))
        try await enqueue(outboxMessage("application:1:confirm:1", kind: .application, content: "Confirm: \(link)"))
        try await enqueue(outboxMessage("rep-digest:rep@example.org:2026-12-06", content: "3 new flags"))
        for envelope in try await store.claim(limit: 10, worker: "w", lease: 60, now: t0) {
            #expect(try await store.markSent(id: envelope.id, worker: "w", now: t0))
        }
        let kept = try await fixture.pool.withConnection { connection in
            try await connection.query("SELECT kind, message FROM outbox_messages ORDER BY id").map {
                (
                    try $0.decode(String.self, column: "kind"),
                    String(decoding: try $0.decode(PGBytes.self, column: "message").bytes, as: UTF8.self)
                )
            }
        }
        for (kind, message) in kept.prefix(2) {
            #expect(!message.contains("token="), "\(kind)")
            #expect(message.hasPrefix("From: charter@example.org\r\nTo: rep@example.org\r\nSubject: Digest"), "\(kind)")
            #expect(
                message.hasSuffix(
                    "\r\n\r\n(This message held a one-time link for its recipient only; its body was removed once it was sent.)\r\n"
                ))
        }
        #expect(kept.last?.1.hasSuffix("\r\n\r\n3 new flags\r\n") == true)
    }

    @Test func jitterOnlyShortensThePauseUpToItsFractionAndTheCapHolds() {
        var policy = OutboxRetryPolicy()
        policy.base = 60
        policy.jitter = 0.2
        #expect(policy.delay(afterAttempt: 1, random: 0) == 60)
        #expect(policy.delay(afterAttempt: 1, random: 0.5) == 54)
        #expect(policy.delay(afterAttempt: 3, random: 0.999_999) > 192)
        #expect(policy.delay(afterAttempt: 40, random: 0) == policy.cap)
    }

    @Test func aPermanentFailureIsDeadAtOnceWithTheReply() async throws {
        try await enqueue(outboxMessage("bounce"))
        let id = try #require(try await store.claim(limit: 10, worker: "w", lease: 60, now: t0).first?.id)
        let result = try await store.markFailed(
            id: id, worker: "w", transient: false, reply: "550 5.1.1 no such mailbox", now: t0, policy: exact)
        #expect(result?.state == .dead)
        let dead = try #require(try await store.find(id: id))
        #expect(dead.state == .dead)
        #expect(dead.lastError == "550 5.1.1 no such mailbox")
        #expect(dead.attempts == 1)
        #expect(try await store.claim(limit: 10, worker: "w", lease: 60, now: t0.addingTimeInterval(86400)).isEmpty)
    }

    @Test func exhaustedRetriesAreDeadAndARequeueSendsItAgainAudited() async throws {
        try await enqueue(outboxMessage("flaky"))
        var now = t0
        var id: Int64 = 0
        for _ in 1...exact.maxAttempts {
            id = try #require(try await store.claim(limit: 10, worker: "w", lease: 60, now: now).first?.id)
            let result = try await store.markFailed(
                id: id, worker: "w", transient: true, reply: "421 too busy", now: now, policy: exact)
            now = result?.nextAttemptAt ?? now
        }
        let dead = try #require(try await store.find(id: id))
        #expect(dead.state == .dead)
        #expect(dead.attempts == exact.maxAttempts)
        #expect(dead.lastError == "421 too busy")

        let requeued = try await store.requeue(id: id, actor: "charterctl:ops", now: now)
        #expect(requeued.state == .queued)
        #expect(requeued.attempts == 0)
        let audit = try await fixture.pool.withConnection {
            try await $0.query("SELECT actor, action, entity_id FROM audit_log WHERE action = 'outbox.requeue'")
        }
        #expect(audit.count == 1)
        #expect(try audit.first?.decode(String.self, column: "actor") == "charterctl:ops")
        #expect(try audit.first?.decode(String.self, column: "entity_id") == String(id))

        let again = try await store.claim(limit: 10, worker: "w", lease: 60, now: now)
        #expect(again.map(\.id) == [id])
        #expect(again.map(\.attempt) == [1])
        #expect(try await store.markSent(id: id, worker: "w", now: now))
        #expect(try await store.find(id: id)?.state == .sent)
    }

    @Test func onlyADeadMessageCanBeRequeued() async throws {
        try await enqueue(outboxMessage("fine"))
        let id = try #require(try await store.list().first?.id)
        let conflict = await #expect(throws: CharterStoreError.self) {
            try await store.requeue(id: id, actor: "test")
        }
        #expect(conflict?.code == .conflict)
        let missing = await #expect(throws: CharterStoreError.self) {
            try await store.requeue(id: id + 1000, actor: "test")
        }
        #expect(missing?.code == .notFound)
        #expect(try await fixture.count("SELECT count(*) FROM audit_log WHERE action = 'outbox.requeue'") == 0)
    }

    @Test func aCrashedWorkersClaimIsTakenOverWhenItsLeaseRunsOut() async throws {
        try await enqueue(outboxMessage("orphan"))
        let crashed = try await store.claim(limit: 10, worker: "crashed", lease: 60, now: t0)
        #expect(crashed.count == 1)
        let id = try #require(crashed.first?.id)
        // While the lease holds nobody else gets it.
        #expect(try await store.claim(limit: 10, worker: "other", lease: 60, now: t0.addingTimeInterval(59)).isEmpty)
        let taken = try await store.claim(limit: 10, worker: "other", lease: 60, now: t0.addingTimeInterval(60))
        #expect(taken.map(\.id) == [id])
        #expect(taken.map(\.attempt) == [2])
        // The crashed worker, should it wake up, can no longer record anything.
        #expect(try await !store.markSent(id: id, worker: "crashed", now: t0.addingTimeInterval(61)))
        #expect(
            try await store.markFailed(
                id: id, worker: "crashed", transient: true, reply: "x", now: t0.addingTimeInterval(61)) == nil)
        #expect(try await store.markSent(id: id, worker: "other", now: t0.addingTimeInterval(61)))
        #expect(try await store.find(id: id)?.state == .sent)
    }

    @Test func aRenewedClaimHoldsAndATakenOverOneIsNotRenewed() async throws {
        for key in ["first", "second"] { try await enqueue(outboxMessage(key)) }
        let batch = try await store.claim(limit: 10, worker: "slow", lease: 60, now: t0)
        #expect(batch.count == 2)
        // The slow worker gets to the first message in time and renews its claim...
        #expect(try await store.renewClaim(id: batch[0].id, worker: "slow", lease: 60, now: t0.addingTimeInterval(50)))
        // ...but not to the second before its lease runs out, and another worker takes that one.
        let taken = try await store.claim(limit: 10, worker: "quick", lease: 60, now: t0.addingTimeInterval(61))
        #expect(taken.map(\.id) == [batch[1].id])
        #expect(try await !store.renewClaim(id: batch[1].id, worker: "slow", lease: 60, now: t0.addingTimeInterval(62)))
    }

    @Test func releasedMessagesAreDueAtOnceWithoutCountingTheAttempt() async throws {
        for key in ["a", "b", "c"] { try await enqueue(outboxMessage(key)) }
        let claimed = try await store.claim(limit: 10, worker: "w", lease: 600, now: t0)
        #expect(claimed.count == 3)
        try await store.release(ids: claimed.map(\.id), worker: "w")
        let again = try await store.claim(limit: 2, worker: "v", lease: 600, now: t0)
        #expect(again.map(\.attempt) == [1, 1])
        #expect(again.map(\.id) == Array(claimed.map(\.id).prefix(2)))
    }
}

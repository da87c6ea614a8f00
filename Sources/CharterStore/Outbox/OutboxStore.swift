public import Foundation
public import PGClient

/// The transactional outbox (SPEC §7): messages are queued in the transaction of the change that
/// caused them, claimed by delivery workers under a lease, and end `sent` or `dead`.
///
/// Delivery is at least once. A worker that claims a message and dies before recording the outcome
/// leaves it `sending`; once its lease has run out another worker claims it again and sends it. If the
/// first worker had already handed the message to the server before dying, the recipient gets it
/// twice: that window — from the server accepting the message to `markSent` committing — cannot be
/// closed without the server's help. Nothing is ever lost: a message leaves the outbox only as `sent`
/// or `dead`, and `dead` stays visible with the server's reply until an admin requeues it.
public struct OutboxStore: Sendable {
    /// The channel `enqueue` and `requeue` notify, on which delivery workers listen.
    public static let channel = "outbox"

    public let pool: PGPool

    public init(pool: PGPool) {
        self.pool = pool
    }

    /// Queues `message` inside the caller's transaction, so it commits with the run or change that
    /// caused it, or not at all.
    ///
    /// A message whose `dedupKey` is already in the outbox (in any state) is not queued again: a rerun
    /// never sends twice. Delivery workers are woken by `NOTIFY outbox`, which PostgreSQL delivers
    /// only when the transaction commits.
    ///
    /// - Returns: whether the message was queued (false: its key was there already).
    @discardableResult
    public static func enqueue(_ message: OutboxMessage, on connection: PGConnection) async throws -> Bool {
        try await enqueue([message], on: connection) == 1
    }

    /// Queues `messages` as `enqueue(_:on:)` does each, in multi-row inserts of 128, each notifying once
    /// when it queued anything.
    ///
    /// - Returns: how many were queued (the others' keys were there already).
    @discardableResult
    public static func enqueue(_ messages: [OutboxMessage], on connection: PGConnection) async throws -> Int {
        for message in messages {
            guard !message.recipients.isEmpty else {
                throw CharterStoreError(.invalid, "an email needs at least one recipient")
            }
            guard message.contentDigest.count == 32 else {
                throw CharterStoreError(.invalid, "the content digest must be a SHA-256 (32 bytes)")
            }
        }
        var queued = 0
        // 8 parameters a row: 128 rows stay far below PostgreSQL's 65,535 and keep each statement a few MiB.
        for start in stride(from: 0, to: messages.count, by: 128) {
            var query: PGQuery = """
                WITH inserted AS (
                    INSERT INTO outbox_messages
                        (kind, dedup_key, sender, recipients, recipient, subject, message, content_digest)
                    VALUES
                """
            for (offset, message) in messages[start..<min(start + 128, messages.count)].enumerated() {
                query.append(offset == 0 ? " " : ", ")
                query.append(
                    """
                    (\(message.kind.rawValue), \(message.dedupKey), \(message.sender), \(message.recipients),
                     \(message.recipientKey), \(message.subject), \(PGBytes(message.message)),
                     \(PGBytes(message.contentDigest)))
                    """)
            }
            // The notification rides on the insert, so queueing one message is one round trip. The
            // subquery runs once, when the first inserted row is returned: a statement that inserted
            // nothing (every key there already) notifies nobody.
            query.append(
                """
                 ON CONFLICT (dedup_key) DO NOTHING RETURNING id)
                SELECT id, (SELECT pg_notify(\(channel), max(id)::text) FROM inserted) IS NOT NULL AS notified
                FROM inserted
                """)
            queued += try await connection.query(query).count
        }
        return queued
    }

    /// Which of `keys` are in the outbox already (in any state).
    public static func existingKeys(_ keys: [String], on connection: PGConnection) async throws -> Set<String> {
        guard !keys.isEmpty else { return [] }
        return Set(
            try await connection.query("SELECT dedup_key FROM outbox_messages WHERE dedup_key = ANY(\(keys))").map {
                try $0.decode(String.self, column: "dedup_key")
            })
    }

    /// A kind of message to a recipient list (an `OutboxMessage.recipientKey`).
    public struct Target: Hashable, Sendable {
        public var kind: OutboxMessage.Kind
        public var recipient: String

        public init(kind: OutboxMessage.Kind, recipient: String) {
            self.kind = kind
            self.recipient = recipient
        }
    }

    /// The latest message to each of `targets` that was sent or is still to be sent (dead messages do
    /// not count, their content never arrived), in one query; targets with none are absent.
    public static func lastMessages(to targets: [Target], on connection: PGConnection) async throws
        -> [Target: LastOutboxMessage]
    {
        guard !targets.isEmpty else { return [:] }
        let rows = try await connection.query(
            """
            SELECT DISTINCT ON (m.kind, m.recipient)
                   m.kind, m.recipient, m.id, m.state, m.content_digest, m.created_at, m.sent_at
            FROM outbox_messages m
            JOIN unnest(\(targets.map(\.kind.rawValue)), \(targets.map(\.recipient))) AS t(kind, recipient)
              ON m.kind = t.kind AND m.recipient = t.recipient
            WHERE m.state <> 'dead'
            ORDER BY m.kind, m.recipient, m.created_at DESC, m.id DESC
            """)
        var found: [Target: LastOutboxMessage] = [:]
        for row in rows {
            guard let kind = OutboxMessage.Kind(rawValue: try row.decode(String.self, column: "kind")) else { continue }
            found[Target(kind: kind, recipient: try row.decode(String.self, column: "recipient"))] = try last(row)
        }
        return found
    }

    /// The latest message of `kind` to `recipient` (an `OutboxMessage.recipientKey`) that was sent or
    /// is still to be sent; dead messages do not count, since their content never arrived.
    public func lastMessage(kind: OutboxMessage.Kind, recipient: String) async throws -> LastOutboxMessage? {
        try await pool.withConnection { try await Self.lastMessage(kind: kind, recipient: recipient, on: $0) }
    }

    /// `lastMessage(kind:recipient:)` on the caller's connection (inside its transaction).
    public static func lastMessage(
        kind: OutboxMessage.Kind, recipient: String, on connection: PGConnection
    ) async throws -> LastOutboxMessage? {
        let target = Target(kind: kind, recipient: recipient)
        return try await lastMessages(to: [target], on: connection)[target]
    }

    private static func last(_ row: PGRow) throws -> LastOutboxMessage {
        LastOutboxMessage(
            id: try row.decode(Int64.self, column: "id"), state: try Self.state(row),
            contentDigest: try row.decode(PGBytes.self, column: "content_digest").bytes,
            createdAt: try row.decode(Date.self, column: "created_at"),
            sentAt: try row.decode(Date?.self, column: "sent_at"))
    }

    /// Claims up to `limit` messages that are due at `now` — queued ones whose `next_attempt_at` has
    /// come, and `sending` ones whose lease has run out (their worker died) — for `worker`, marking them
    /// `sending` until `now + lease`. Rows another worker is claiming at the same moment are skipped
    /// (`FOR UPDATE SKIP LOCKED`), so two workers never get the same message while its lease holds.
    public func claim(limit: Int, worker: String, lease: TimeInterval, now: Date) async throws -> [OutboxEnvelope] {
        let until = now.addingTimeInterval(lease)
        return try await pool.withConnection { connection in
            try await connection.query(
                """
                WITH locked AS (
                    SELECT id FROM outbox_messages
                    WHERE (state = 'queued' AND next_attempt_at <= \(now))
                       OR (state = 'sending' AND claimed_until <= \(now))
                    ORDER BY next_attempt_at, id
                    LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED
                )
                UPDATE outbox_messages m
                SET state = 'sending', claimed_by = \(worker), claimed_until = \(until), attempts = m.attempts + 1
                FROM locked WHERE m.id = locked.id
                RETURNING m.id, m.sender, m.recipients, m.message, m.attempts
                """
            ).map { row in
                OutboxEnvelope(
                    id: try row.decode(Int64.self, column: "id"), sender: try row.decode(String.self, column: "sender"),
                    recipients: try row.decode([String].self, column: "recipients"),
                    message: try row.decode(PGBytes.self, column: "message").bytes,
                    attempt: try row.decode(Int.self, column: "attempts"))
            }.sorted { $0.id < $1.id }
        }
    }

    /// Extends `worker`'s claim on message `id` to `now + lease` just before it is handed to the
    /// transport, so a batch's lease need only cover one message, not the whole batch.
    ///
    /// - Returns: false when the claim was taken over by another worker after its lease ran out (a slow
    ///   batch): this worker must then not send it, or it would go out twice.
    public func renewClaim(id: Int64, worker: String, lease: TimeInterval, now: Date) async throws -> Bool {
        let until = now.addingTimeInterval(lease)
        return try await pool.withConnection { connection in
            try await connection.execute(
                """
                UPDATE outbox_messages SET claimed_until = \(until)
                WHERE id = \(id) AND state = 'sending' AND claimed_by = \(worker)
                """) == 1
        }
    }

    /// Records that the server accepted message `id`.
    ///
    /// - Returns: false when `worker` no longer held the message — its lease ran out and another worker
    ///   claimed it, which then sends it again (the at-least-once window) — or it is not `sending`.
    @discardableResult
    ///
    /// A message carrying a secret (`Kind.carriesSecret`: a one-time link) keeps only its headers once
    /// it is sent: the link belongs to its recipient, and a copy in the database — or in a backup of it
    /// — would work for anyone who read it until it is used or expires.
    public func markSent(id: Int64, worker: String, now: Date) async throws -> Bool {
        let secretKinds = OutboxMessage.Kind.allCases.filter(\.carriesSecret).map(\.rawValue)
        let removed = Array(Self.removedBody.utf8)
        return try await pool.withConnection { connection in
            try await connection.execute(
                """
                UPDATE outbox_messages
                SET state = 'sent', sent_at = \(now), claimed_by = NULL, claimed_until = NULL,
                    message = CASE WHEN kind = ANY(\(secretKinds)::text[]) AND position('\\x0d0a0d0a'::bytea IN message) > 0
                                   THEN substring(message FROM 1 FOR position('\\x0d0a0d0a'::bytea IN message) + 3)
                                        || \(PGBytes(removed))
                                   ELSE message END
                WHERE id = \(id) AND state = 'sending' AND claimed_by = \(worker)
                """) == 1
        }
    }

    /// What stays of a sent message that carried a one-time link, after its headers.
    static let removedBody =
        "(This message held a one-time link for its recipient only; its body was removed once it was sent.)\r\n"

    /// Records a failed attempt at message `id` with the server's `reply`.
    ///
    /// A transient failure queues the message again after the policy's backoff, unless it has had
    /// `maxAttempts` attempts; a permanent failure (a 5xx reply) or exhausted retries make it `dead` at
    /// once. The reply is kept in `last_error` either way.
    ///
    /// - Returns: the state the message is left in, or nil when `worker` no longer held it.
    @discardableResult
    public func markFailed(
        id: Int64, worker: String, transient: Bool, reply: String, now: Date,
        policy: OutboxRetryPolicy = OutboxRetryPolicy()
    ) async throws -> (state: OutboxMessageState, nextAttemptAt: Date?)? {
        try await pool.withTransaction { connection in
            let rows = try await connection.query(
                """
                SELECT attempts FROM outbox_messages
                WHERE id = \(id) AND state = 'sending' AND claimed_by = \(worker)
                FOR UPDATE
                """)
            guard let row = rows.first else { return nil }
            let attempts = try row.decode(Int.self, column: "attempts")
            if transient && attempts < policy.maxAttempts {
                let next = now.addingTimeInterval(policy.delay(afterAttempt: attempts))
                try await connection.execute(
                    """
                    UPDATE outbox_messages
                    SET state = 'queued', next_attempt_at = \(next), last_error = \(reply),
                        claimed_by = NULL, claimed_until = NULL
                    WHERE id = \(id)
                    """)
                return (.queued, next)
            }
            try await connection.execute(
                """
                UPDATE outbox_messages
                SET state = 'dead', last_error = \(reply), claimed_by = NULL, claimed_until = NULL
                WHERE id = \(id)
                """)
            return (.dead, nil)
        }
    }

    /// Gives back messages `worker` claimed but did not try (a graceful shutdown): queued again, due
    /// at once, the claim's attempt not counted.
    public func release(ids: [Int64], worker: String) async throws {
        guard !ids.isEmpty else { return }
        try await pool.withConnection { connection in
            try await connection.execute(
                """
                UPDATE outbox_messages
                SET state = 'queued', attempts = greatest(attempts - 1, 0), claimed_by = NULL, claimed_until = NULL
                WHERE id = ANY(\(ids)) AND state = 'sending' AND claimed_by = \(worker)
                """)
        }
    }

    /// Messages newest first, optionally only those in `state`.
    public func list(state: OutboxMessageState? = nil, limit: Int = 100) async throws -> [OutboxSummary] {
        try await pool.withConnection { connection in
            try await Self.summaries(
                on: connection,
                where: "(\(state?.rawValue)::text IS NULL OR state = \(state?.rawValue))", limit: limit)
        }
    }

    /// One message without its bytes, or nil.
    public func find(id: Int64) async throws -> OutboxSummary? {
        try await pool.withConnection { try await Self.summaries(on: $0, where: "id = \(id)", limit: 1).first }
    }

    /// Queues a dead message again (an admin's decision, audited): attempts start from nought and it is
    /// due at once.
    public func requeue(id: Int64, actor: String, now: Date = Date()) async throws -> OutboxSummary {
        try await pool.withTransaction { connection in
            let rows = try await connection.query(
                "SELECT state, kind, attempts, last_error FROM outbox_messages WHERE id = \(id) FOR UPDATE")
            guard let row = rows.first else { throw CharterStoreError(.notFound, "there is no outbox message \(id)") }
            let state = try Self.state(row)
            guard state == .dead else {
                throw CharterStoreError(
                    .conflict, "outbox message \(id) is \(state.rawValue); only a dead message can be requeued")
            }
            try await connection.execute(
                """
                UPDATE outbox_messages
                SET state = 'queued', attempts = 0, next_attempt_at = \(now), last_error = NULL
                WHERE id = \(id)
                """)
            try await AuditTrail.append(
                on: connection, actor: actor, action: "outbox.requeue", entity: "outbox_message",
                entityID: String(id),
                details: [
                    "kind": try row.decode(String.self, column: "kind"),
                    "attempts": try row.decode(Int.self, column: "attempts"),
                    "last_error": try row.decode(String?.self, column: "last_error") ?? "",
                ])
            try await connection.execute("SELECT pg_notify(\(Self.channel), \(String(id)))")
            guard let summary = try await Self.summaries(on: connection, where: "id = \(id)", limit: 1).first else {
                throw CharterStoreError(.notFound, "outbox message \(id) vanished")
            }
            return summary
        }
    }

    /// The complete messages with ids above `afterID`, in id order, at most `limit` (paging through the
    /// outbox for `charterctl outbox export` without holding it all).
    public func messages(
        state: OutboxMessageState? = nil, afterID: Int64 = 0, limit: Int = 500
    ) async throws -> [(id: Int64, message: [UInt8])] {
        try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT id, message FROM outbox_messages
                WHERE id > \(afterID) AND (\(state?.rawValue)::text IS NULL OR state = \(state?.rawValue))
                ORDER BY id LIMIT \(limit)
                """
            ).map { row in
                (try row.decode(Int64.self, column: "id"), try row.decode(PGBytes.self, column: "message").bytes)
            }
        }
    }

    static func summaries(on connection: PGConnection, where condition: PGQuery, limit: Int) async throws
        -> [OutboxSummary]
    {
        try await connection.query(
            """
            SELECT id, kind, dedup_key, recipients, subject, state, attempts, created_at, next_attempt_at,
                   claimed_by, claimed_until, last_error, sent_at
            FROM outbox_messages WHERE \(condition)
            ORDER BY id DESC LIMIT \(limit)
            """
        ).map { row in
            let kind = try row.decode(String.self, column: "kind")
            guard let parsedKind = OutboxMessage.Kind(rawValue: kind) else {
                throw CharterStoreError(.invalid, "stored outbox kind \(kind) is unknown")
            }
            return OutboxSummary(
                id: try row.decode(Int64.self, column: "id"), kind: parsedKind,
                dedupKey: try row.decode(String.self, column: "dedup_key"),
                recipients: try row.decode([String].self, column: "recipients"),
                subject: try row.decode(String.self, column: "subject"), state: try state(row),
                attempts: try row.decode(Int.self, column: "attempts"),
                createdAt: try row.decode(Date.self, column: "created_at"),
                nextAttemptAt: try row.decode(Date.self, column: "next_attempt_at"),
                claimedBy: try row.decode(String?.self, column: "claimed_by"),
                claimedUntil: try row.decode(Date?.self, column: "claimed_until"),
                lastError: try row.decode(String?.self, column: "last_error"),
                sentAt: try row.decode(Date?.self, column: "sent_at"))
        }
    }

    private static func state(_ row: PGRow) throws -> OutboxMessageState {
        let text = try row.decode(String.self, column: "state")
        guard let state = OutboxMessageState(rawValue: text) else {
            throw CharterStoreError(.invalid, "stored outbox state \(text) is unknown")
        }
        return state
    }
}

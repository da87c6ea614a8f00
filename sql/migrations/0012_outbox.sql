-- The transactional outbox of SPEC §7, replacing the `outbox` table of 0003, which nothing wrote or
-- read. A message is queued by INSERT in the transaction of the run or change that caused it, so the
-- two commit together or not at all; `dedup_key` (kind, recipient, subject period or run, built by the
-- caller) makes a rerun queue nothing new (ON CONFLICT DO NOTHING). Delivery workers claim due rows
-- with FOR UPDATE SKIP LOCKED, mark them `sending` under a lease, and record `sent`, a retry
-- (`queued` again at `next_attempt_at`) or `dead` with the server's reply. A worker that dies leaves
-- its rows `sending` with a lease that runs out; any worker claims them again (at least once).
DROP TABLE outbox;

CREATE TABLE outbox_messages (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL
        CHECK (kind IN ('employer-digest', 'rep-digest', 'reminder', 'weekly-summary', 'flag-notice')),
    dedup_key text NOT NULL UNIQUE CHECK (dedup_key <> ''),
    -- The envelope: MAIL FROM and RCPT TO (the headers inside `message` say the same for people).
    sender text NOT NULL CHECK (sender LIKE '%_@_%'),
    recipients text[] NOT NULL CHECK (cardinality(recipients) > 0),
    -- Who the message is for, as one key (the recipients lower-cased, sorted, joined by ", "), so
    -- "the last digest to this recipient" is one index probe.
    recipient text NOT NULL,
    subject text NOT NULL,
    message bytea NOT NULL,
    content_digest bytea NOT NULL CHECK (octet_length(content_digest) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'dead')),
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_by text,
    claimed_until timestamptz,
    last_error text,
    sent_at timestamptz,
    CHECK ((state = 'sending') = (claimed_by IS NOT NULL AND claimed_until IS NOT NULL)),
    CHECK ((state = 'sent') = (sent_at IS NOT NULL))
);
-- Claiming: queued rows that are due, and sending rows whose lease ran out.
CREATE INDEX outbox_messages_due_idx ON outbox_messages (next_attempt_at, id) WHERE state = 'queued';
CREATE INDEX outbox_messages_lease_idx ON outbox_messages (claimed_until) WHERE state = 'sending';
-- "Has the content changed since the last one to this recipient, or has the repeat interval passed?"
CREATE INDEX outbox_messages_recipient_idx ON outbox_messages (kind, recipient, created_at DESC);
-- `charterctl outbox list --state dead`, newest first.
CREATE INDEX outbox_messages_state_idx ON outbox_messages (state, id);

COMMENT ON TABLE outbox_messages IS 'Transactional outbox of complete RFC 5322 messages (SPEC §7): queued with the change that caused them, claimed under a lease, sent at least once.';
COMMENT ON COLUMN outbox_messages.content_digest IS 'SHA-256 of the content that matters to the reader (not the Date or Message-ID), so an unchanged digest is not sent again.';
COMMENT ON COLUMN outbox_messages.last_error IS 'The server''s reply to the last failed attempt (or why the transport failed).';

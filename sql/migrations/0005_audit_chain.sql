-- The audit chain: one function appends to audit_log, so every writer hashes the same way.
--
-- Each row's hash is SHA-256(previous row's hash || canonical content). The canonical content is
-- the jsonb text of {at (UTC, microseconds), actor, action, entity, entity_id, details}; jsonb
-- prints keys in a fixed order, so the text is the same whoever computes it.
--
-- The head of the chain is one row in audit_head, locked FOR UPDATE while a row is appended: in
-- READ COMMITTED a second writer waits and then sees the new head; in REPEATABLE READ or
-- SERIALIZABLE it gets a serialization failure and its transaction is retried. Two rows can
-- therefore never claim the same predecessor.

CREATE TABLE audit_head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_id bigint,
    row_hash bytea NOT NULL
);
COMMENT ON TABLE audit_head IS 'The hash of the newest audit_log row; the chain starts from 32 zero bytes.';
INSERT INTO audit_head (row_hash) VALUES (decode(repeat('00', 32), 'hex'));

CREATE FUNCTION audit_canonical(p_at timestamptz, p_actor text, p_action text, p_entity text,
                                p_entity_id text, p_details jsonb)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'at', to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'actor', p_actor, 'action', p_action, 'entity', p_entity, 'entity_id', p_entity_id,
        'details', p_details)::text
$$;
COMMENT ON FUNCTION audit_canonical IS 'The canonical text of an audit row, the input of its hash.';

CREATE FUNCTION audit_append(p_actor text, p_action text, p_entity text, p_entity_id text, p_details jsonb)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    previous bytea;
    stamp timestamptz := clock_timestamp();
    new_hash bytea;
    new_id bigint;
BEGIN
    SELECT row_hash INTO previous FROM audit_head WHERE singleton FOR UPDATE;
    new_hash := sha256(previous || convert_to(
        audit_canonical(stamp, p_actor, p_action, p_entity, p_entity_id, p_details), 'UTF8'));
    INSERT INTO audit_log (at, actor, action, entity, entity_id, details, prev_hash, row_hash)
    VALUES (stamp, p_actor, p_action, p_entity, p_entity_id, p_details, previous, new_hash)
    RETURNING id INTO new_id;
    UPDATE audit_head SET last_id = new_id, row_hash = new_hash WHERE singleton;
    RETURN new_id;
END;
$$;
COMMENT ON FUNCTION audit_append IS 'Appends one row to the audit chain; call it in the transaction of the change it records.';

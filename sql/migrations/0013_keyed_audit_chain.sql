-- The audit chain becomes keyed (SPEC §8): each new row's hash is HMAC-SHA256 under CHARTERD_AUDIT_KEY,
-- over the previous row's hash and the row's canonical content (audit_canonical, unchanged). A database
-- superuser can still rewrite rows, but without the key cannot recompute a chain that verifies.
--
-- The HMAC is computed by charterd and charterctl, not here (AuditTrail.append): the key never reaches
-- the server, so it is not in a bind parameter a statement log may print, not in a backend's memory, and
-- not within reach of a superuser who replaces this function to capture what it is given. So the
-- database no longer hashes: audit_append(), which chained with plain SHA-256, is dropped, and a writer
-- that still called it fails loudly instead of adding a row no key vouches for.
--
-- audit_append_sealed() takes the hash the writer computed. The writer has already locked audit_head
-- FOR UPDATE in the same transaction and read the previous hash from it, so two rows still can never
-- claim the same predecessor; the function checks that nothing moved, inserts the row and moves the head.
--
-- Rows written before this migration keep their unkeyed SHA-256 hashes (the table stays append-only:
-- nothing is rehashed in place). The first keyed row, which charterd or `charterctl migrate` appends
-- at once as an 'audit.seal' row, chains onto the last of them, so its HMAC vouches for all of them:
-- rewriting any earlier row changes the hash that row was computed over.

COMMENT ON TABLE audit_log IS 'Append-only record of every state change; each row carries the previous row''s hash and its own, HMAC-SHA256 under the audit key (SHA-256 for rows written before the chain was keyed).';

ALTER TABLE audit_head ADD COLUMN key_fingerprint bytea;
COMMENT ON COLUMN audit_head.key_fingerprint IS
    'HMAC-SHA256(key, ''CharterWatch audit key fingerprint'') of the key the chain is written with; NULL until the first keyed row. Reveals nothing of the key; lets a process with another key refuse to write.';

DROP FUNCTION audit_append(text, text, text, text, jsonb);

CREATE FUNCTION audit_append_sealed(p_at timestamptz, p_actor text, p_action text, p_entity text,
                                    p_entity_id text, p_details jsonb, p_prev_hash bytea, p_row_hash bytea,
                                    p_key_fingerprint bytea)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    head audit_head;
    new_id bigint;
BEGIN
    SELECT * INTO head FROM audit_head WHERE singleton FOR UPDATE;
    IF head.row_hash IS DISTINCT FROM p_prev_hash THEN
        -- Only a writer that read the head outside its transaction gets here; a retry reads it again.
        RAISE EXCEPTION 'the audit chain head moved after it was read'
            USING ERRCODE = 'serialization_failure';
    END IF;
    IF head.key_fingerprint IS NOT NULL AND head.key_fingerprint IS DISTINCT FROM p_key_fingerprint THEN
        RAISE EXCEPTION 'this audit row is hashed under another key than the chain''s'
            USING ERRCODE = 'invalid_authorization_specification';
    END IF;
    INSERT INTO audit_log (at, actor, action, entity, entity_id, details, prev_hash, row_hash)
    VALUES (p_at, p_actor, p_action, p_entity, p_entity_id, p_details, p_prev_hash, p_row_hash)
    RETURNING id INTO new_id;
    UPDATE audit_head SET last_id = new_id, row_hash = p_row_hash, key_fingerprint = p_key_fingerprint
    WHERE singleton;
    RETURN new_id;
END;
$$;
COMMENT ON FUNCTION audit_append_sealed IS
    'Appends one row whose HMAC the writer computed (AuditTrail.append); call it in the transaction of the change it records, after locking audit_head.';

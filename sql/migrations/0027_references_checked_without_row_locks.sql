-- The reference checks of 0025 and 0026 keep a key's guarantee — nothing a committed row names is missing —
-- without locking each row named. They locked every row a statement's rows named FOR KEY SHARE, as a key's
-- check does, so that a named row could not be deleted while the naming transaction was open. A nightly run
-- names 40,000 return versions, 10,000 employers and the 23,000 flags it has just created: each lock writes
-- the row's header (and WAL for it), where nothing will ever delete most of them. On charter-bench
-- compliance's data, a first run's 40,000 evaluations took 227 ms with the locks, 88 ms without the checks
-- and about 100 ms checked without the locks; its flags and events 514 ms with, 428 ms without.
--
-- The deleting side waits instead, which is rare (an employer, a return or a charter draft removed by the
-- charter team, never by a run). Before a delete's cascade or refusal looks for what names the deleted rows,
-- it locks the tables that can name them in SHARE ROW EXCLUSIVE mode, which waits for every open transaction
-- that has written to them and keeps new writers out until it ends:
-- - a writer that checked a name before the delete commits its rows first, and the cascade's next statement
--   (read committed: a snapshot of its own) sees them and removes them, or the refusal sees them and refuses;
-- - a writer that comes after the delete waits for it to end, and its check (a statement after the delete's
--   commit, in a trigger with a snapshot of its own) finds the row gone and refuses the statement (23503).
-- The mode conflicts with itself, so two deletes do not both hold the table in SHARE and then deadlock on
-- each other's writes. Deletes run at read committed, the service's only isolation for writes.

CREATE OR REPLACE FUNCTION check_charter_versions_named() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    named bigint[];
    found bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT charter_version_id) INTO named FROM written WHERE charter_version_id IS NOT NULL;
    ELSE
        -- Only versions the statement's rows did not name before, as a foreign key checks only a changed key.
        SELECT array_agg(DISTINCT w.charter_version_id) INTO named FROM written w
        WHERE w.charter_version_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM previous p WHERE p.charter_version_id = w.charter_version_id);
    END IF;
    IF named IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT count(*) INTO found FROM charter_versions WHERE id = ANY(named);
    IF found < cardinality(named) THEN
        RAISE EXCEPTION '% names a charter version that does not exist', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION check_charter_versions_named IS 'The foreign key to charter_versions of flags and return_evaluations, checked once a statement (0025), without row locks (0027).';

CREATE OR REPLACE FUNCTION check_flag_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    employers_named bigint[];
    versions_named bigint[];
    found bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT employer_id),
               array_agg(DISTINCT return_version_id) FILTER (WHERE return_version_id IS NOT NULL)
        INTO employers_named, versions_named FROM written;
    ELSE
        -- Only what the statement's rows did not name before (matched by value, not by row).
        SELECT array_agg(DISTINCT employer_id) INTO employers_named FROM written w
        WHERE NOT EXISTS (SELECT 1 FROM previous p WHERE p.employer_id = w.employer_id);
        SELECT array_agg(DISTINCT return_version_id) INTO versions_named FROM written w
        WHERE return_version_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM previous p WHERE p.return_version_id = w.return_version_id);
    END IF;
    IF employers_named IS NOT NULL THEN
        SELECT count(*) INTO found FROM employers WHERE id = ANY(employers_named);
        IF found < cardinality(employers_named) THEN
            RAISE EXCEPTION 'flags name an employer that does not exist' USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    IF versions_named IS NOT NULL THEN
        SELECT count(*) INTO found FROM return_versions WHERE id = ANY(versions_named);
        IF found < cardinality(versions_named) THEN
            RAISE EXCEPTION 'flags name a return version that does not exist'
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION check_flag_references IS 'The foreign keys of flags to employers and return_versions, checked once a statement (0026), without row locks (0027).';

CREATE OR REPLACE FUNCTION check_flag_event_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    named bigint[];
    found bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT flag_id) INTO named FROM written;
    ELSE
        SELECT array_agg(DISTINCT flag_id) INTO named FROM written w
        WHERE NOT EXISTS (SELECT 1 FROM previous p WHERE p.flag_id = w.flag_id);
    END IF;
    IF named IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT count(*) INTO found FROM flags WHERE id = ANY(named);
    IF found < cardinality(named) THEN
        RAISE EXCEPTION 'flag events name a flag that does not exist' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION check_flag_event_references IS 'The foreign key of flag_events to flags, checked once a statement (0026), without row locks (0027).';

CREATE OR REPLACE FUNCTION check_evaluation_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    wanted bigint;
    found bigint;
BEGIN
    -- A return's evaluation names one of that return's versions: (return_id, return_version_id) is a
    -- version's (return_id, id), as 0021's composite key said.
    IF TG_OP = 'INSERT' THEN
        SELECT count(*) INTO wanted FROM written;
        SELECT count(*) INTO found
        FROM return_versions v JOIN written w ON v.return_id = w.return_id AND v.id = w.return_version_id;
    ELSE
        -- Only pairs the statement's rows did not name before (by value: a moved return_id is checked too).
        SELECT count(*) INTO wanted FROM written w
        WHERE NOT EXISTS (SELECT 1 FROM previous p
                          WHERE p.return_id = w.return_id AND p.return_version_id = w.return_version_id);
        SELECT count(*) INTO found
        FROM return_versions v
        JOIN written w ON v.return_id = w.return_id AND v.id = w.return_version_id
        WHERE NOT EXISTS (SELECT 1 FROM previous p
                          WHERE p.return_id = w.return_id AND p.return_version_id = w.return_version_id);
    END IF;
    IF found < wanted THEN
        RAISE EXCEPTION 'return evaluations name a version that is not their return''s'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION check_evaluation_references IS 'The foreign key of return_evaluations to its return''s version, checked once a statement (0026), without row locks (0027).';

-- The deleting side: wait for the writers that may name what goes, then do what the keys' ON DELETE said.
CREATE OR REPLACE FUNCTION remove_flags_of_removed_employers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE flags IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM flags WHERE employer_id IN (SELECT id FROM removed);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION remove_events_of_removed_flags() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE flag_events IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM flag_events WHERE flag_id IN (SELECT id FROM removed);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION release_removed_return_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE return_evaluations, flags IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM return_evaluations e USING removed r WHERE e.return_id = r.return_id AND e.return_version_id = r.id;
    UPDATE flags SET return_version_id = NULL WHERE return_version_id IN (SELECT id FROM removed);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION refuse_removing_named_charter_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NEW;
    END IF;
    LOCK TABLE flags, return_evaluations IN SHARE ROW EXCLUSIVE MODE;
    IF EXISTS (SELECT 1 FROM flags WHERE charter_version_id = OLD.id)
       OR EXISTS (SELECT 1 FROM return_evaluations WHERE charter_version_id = OLD.id) THEN
        RAISE EXCEPTION 'charter version % is named by flags or return evaluations', OLD.id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

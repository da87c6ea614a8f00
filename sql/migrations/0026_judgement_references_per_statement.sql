-- The four foreign keys a nightly run's writes meet row by row, checked once a statement instead, as 0025
-- did for the charter version: flags → employers, flags → return_versions, flag_events → flags and
-- return_evaluations → return_versions. As keys, PostgreSQL checked every row written with a query of its
-- own and locked the row it names: on charter-bench compliance's data (psql), 40,000 evaluations took
-- 596 ms with their key and 123 ms without; 22,974 flags 730 ms with their two keys and 401 ms without;
-- their events' key another 174 ms. Checking a statement's rows together, and locking the rows they name
-- in one query, took 54 ms for the 40,000 evaluations.
--
-- The rules are the keys' rules, kept:
-- - A row written (inserted, or updated to name something else) must name an existing row, else the
--   whole statement is refused with 23503, as a key refuses it. The rows named are locked FOR KEY SHARE,
--   as a key's check locks them, so none can be deleted while the transaction that names it is open.
-- - Deleting a row others name does what the key's ON DELETE said: an employer's flags go with it; a flag's
--   events go with it; a return version's evaluation goes with it and its flags keep their history but no
--   longer name it. These run after the deleting statement, with a snapshot that sees what a transaction
--   holding the row's lock committed (read committed, the service's isolation), as a key's cascade does.
-- - The ids others name never change (they are identities; a key would have refused or cascaded).

CREATE FUNCTION check_flag_references() RETURNS trigger LANGUAGE plpgsql AS $$
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
        -- Only what the statement's rows did not name before, as a key checks only a changed key: a person
        -- acting on a flag, or a run clearing one, locks nothing. (Matched by value, not by row: a row whose
        -- id changed is checked all the same.)
        SELECT array_agg(DISTINCT employer_id) INTO employers_named FROM written w
        WHERE NOT EXISTS (SELECT 1 FROM previous p WHERE p.employer_id = w.employer_id);
        SELECT array_agg(DISTINCT return_version_id) INTO versions_named FROM written w
        WHERE return_version_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM previous p WHERE p.return_version_id = w.return_version_id);
    END IF;
    IF employers_named IS NOT NULL THEN
        SELECT count(*) INTO found
        FROM (SELECT 1 FROM employers WHERE id = ANY(employers_named) FOR KEY SHARE) locked;
        IF found < cardinality(employers_named) THEN
            RAISE EXCEPTION 'flags name an employer that does not exist' USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    IF versions_named IS NOT NULL THEN
        SELECT count(*) INTO found
        FROM (SELECT 1 FROM return_versions WHERE id = ANY(versions_named) FOR KEY SHARE) locked;
        IF found < cardinality(versions_named) THEN
            RAISE EXCEPTION 'flags name a return version that does not exist'
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION check_flag_references IS 'The foreign keys of flags to employers and return_versions, checked once a statement (0026).';

CREATE FUNCTION check_flag_event_references() RETURNS trigger LANGUAGE plpgsql AS $$
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
    SELECT count(*) INTO found FROM (SELECT 1 FROM flags WHERE id = ANY(named) FOR KEY SHARE) locked;
    IF found < cardinality(named) THEN
        RAISE EXCEPTION 'flag events name a flag that does not exist' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION check_flag_event_references IS 'The foreign key of flag_events to flags, checked once a statement (0026).';

CREATE FUNCTION check_evaluation_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    wanted bigint;
    found bigint;
BEGIN
    -- A return's evaluation names one of that return's versions: (return_id, return_version_id) is a
    -- version's (return_id, id), as 0021's composite key said.
    IF TG_OP = 'INSERT' THEN
        SELECT count(*) INTO wanted FROM written;
        SELECT count(*) INTO found
        FROM (SELECT 1 FROM return_versions v JOIN written w ON v.return_id = w.return_id AND v.id = w.return_version_id
              FOR KEY SHARE OF v) locked;
    ELSE
        -- Only pairs the statement's rows did not name before (by value: a moved return_id is checked too).
        SELECT count(*) INTO wanted FROM written w
        WHERE NOT EXISTS (SELECT 1 FROM previous p
                          WHERE p.return_id = w.return_id AND p.return_version_id = w.return_version_id);
        SELECT count(*) INTO found
        FROM (SELECT 1 FROM return_versions v
              JOIN written w ON v.return_id = w.return_id AND v.id = w.return_version_id
              WHERE NOT EXISTS (SELECT 1 FROM previous p
                                WHERE p.return_id = w.return_id AND p.return_version_id = w.return_version_id)
              FOR KEY SHARE OF v) locked;
    END IF;
    IF found < wanted THEN
        RAISE EXCEPTION 'return evaluations name a version that is not their return''s'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION check_evaluation_references IS 'The foreign key of return_evaluations to its return''s version, checked once a statement (0026).';

CREATE TRIGGER flags_references_inserted AFTER INSERT ON flags
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION check_flag_references();
CREATE TRIGGER flags_references_updated AFTER UPDATE ON flags
    REFERENCING OLD TABLE AS previous NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION check_flag_references();
CREATE TRIGGER flag_events_references_inserted AFTER INSERT ON flag_events
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION check_flag_event_references();
CREATE TRIGGER flag_events_references_updated AFTER UPDATE ON flag_events
    REFERENCING OLD TABLE AS previous NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION check_flag_event_references();
CREATE TRIGGER return_evaluations_references_inserted AFTER INSERT ON return_evaluations
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION check_evaluation_references();
CREATE TRIGGER return_evaluations_references_updated AFTER UPDATE ON return_evaluations
    REFERENCING OLD TABLE AS previous NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION check_evaluation_references();

-- What the keys' ON DELETE did, once a deleting statement.
CREATE FUNCTION remove_flags_of_removed_employers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM flags WHERE employer_id IN (SELECT id FROM removed);
    RETURN NULL;
END
$$;
CREATE TRIGGER employers_remove_their_flags AFTER DELETE ON employers
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION remove_flags_of_removed_employers();

CREATE FUNCTION remove_events_of_removed_flags() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM flag_events WHERE flag_id IN (SELECT id FROM removed);
    RETURN NULL;
END
$$;
CREATE TRIGGER flags_remove_their_events AFTER DELETE ON flags
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION remove_events_of_removed_flags();

CREATE FUNCTION release_removed_return_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM return_evaluations e USING removed r WHERE e.return_id = r.return_id AND e.return_version_id = r.id;
    UPDATE flags SET return_version_id = NULL WHERE return_version_id IN (SELECT id FROM removed);
    RETURN NULL;
END
$$;
CREATE TRIGGER return_versions_release_judgements AFTER DELETE ON return_versions
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION release_removed_return_versions();

CREATE FUNCTION refuse_changing_named_ids() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id <> OLD.id THEN
        RAISE EXCEPTION '% ids are named by other rows and do not change', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER employers_id_kept BEFORE UPDATE OF id ON employers
    FOR EACH ROW EXECUTE FUNCTION refuse_changing_named_ids();
CREATE TRIGGER flags_id_kept BEFORE UPDATE OF id ON flags
    FOR EACH ROW EXECUTE FUNCTION refuse_changing_named_ids();
CREATE FUNCTION refuse_moving_return_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id <> OLD.id OR NEW.return_id <> OLD.return_id THEN
        RAISE EXCEPTION 'return versions are named by other rows and keep their id and return'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER return_versions_id_kept BEFORE UPDATE OF id, return_id ON return_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_moving_return_versions();

ALTER TABLE flags DROP CONSTRAINT flags_employer_id_fkey, DROP CONSTRAINT flags_return_version_id_fkey;
ALTER TABLE flag_events DROP CONSTRAINT flag_events_flag_id_fkey;
ALTER TABLE return_evaluations DROP CONSTRAINT return_evaluations_version_fkey;

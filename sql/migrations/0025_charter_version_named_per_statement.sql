-- Flags and return evaluations name the charter version they were judged by, and every row one nightly
-- run writes names the same one or two versions. As foreign keys, PostgreSQL checked each row with a query
-- of its own: 63,000 checks of the same row for charter-bench compliance's first run, about a quarter of
-- the time its 23,000 flags and 40,000 evaluations took to write (psql on the bench's data: 1.17–1.35 s
-- without the two keys against 1.54–2.17 s with them).
--
-- The same rule, checked once a statement: after rows are written, the versions they name are locked
-- (FOR KEY SHARE, as a foreign key's check locks them, so a version cannot be deleted while a transaction
-- that names it is open) and any name with no version refuses the whole statement (23503, as before). A
-- version still named cannot be deleted (23503). Charter versions are never deleted by the service; this
-- is the guarantee the keys gave, kept.
CREATE FUNCTION check_charter_versions_named() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    named bigint[];
    found bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT charter_version_id) INTO named FROM written WHERE charter_version_id IS NOT NULL;
    ELSE
        -- Only versions the statement's rows did not name before, as a foreign key checks only a changed key:
        -- a person acting on a flag locks no charter version. (Matched by value, not by row: a row whose key
        -- changed is checked all the same.)
        SELECT array_agg(DISTINCT w.charter_version_id) INTO named FROM written w
        WHERE w.charter_version_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM previous p WHERE p.charter_version_id = w.charter_version_id);
    END IF;
    IF named IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT count(*) INTO found FROM (SELECT 1 FROM charter_versions WHERE id = ANY(named) FOR KEY SHARE) locked;
    IF found < cardinality(named) THEN
        RAISE EXCEPTION '% names a charter version that does not exist', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION check_charter_versions_named IS 'The foreign key to charter_versions of flags and return_evaluations, checked once a statement (0025).';

CREATE TRIGGER flags_charter_version_inserted AFTER INSERT ON flags
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION check_charter_versions_named();
CREATE TRIGGER flags_charter_version_updated AFTER UPDATE ON flags
    REFERENCING OLD TABLE AS previous NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION check_charter_versions_named();
CREATE TRIGGER return_evaluations_charter_version_inserted AFTER INSERT ON return_evaluations
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION check_charter_versions_named();
CREATE TRIGGER return_evaluations_charter_version_updated AFTER UPDATE ON return_evaluations
    REFERENCING OLD TABLE AS previous NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION check_charter_versions_named();

CREATE FUNCTION refuse_removing_named_charter_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM flags WHERE charter_version_id = OLD.id)
       OR EXISTS (SELECT 1 FROM return_evaluations WHERE charter_version_id = OLD.id) THEN
        RAISE EXCEPTION 'charter version % is named by flags or return evaluations', OLD.id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER charter_versions_named_by_judgements BEFORE DELETE OR UPDATE OF id ON charter_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_removing_named_charter_version();

ALTER TABLE flags DROP CONSTRAINT flags_charter_version_id_fkey;
ALTER TABLE return_evaluations DROP CONSTRAINT return_evaluations_charter_version_id_fkey;

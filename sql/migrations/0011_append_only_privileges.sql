-- The audit log and the migration record are the owner's to change, whatever else was granted.
--
-- deploy/postgresql-setup.sql gives the runtime role SELECT, INSERT, UPDATE and DELETE on every table
-- the owner creates (default privileges, so later migrations need no grants of their own). For
-- audit_log that is too much: the chain is append-only, so UPDATE, DELETE and TRUNCATE are taken back
-- here from every role but the table's owner (the trigger from 0003 still refuses them to the owner).
-- schema_migrations is read by charterd at start-up and written only by `charterctl migrate`, as the
-- owner. With no other role granted anything (the embedded cluster), this changes nothing.

DO $$
DECLARE
    grant_row record;
BEGIN
    FOR grant_row IN
        SELECT DISTINCT c.oid::regclass AS target,
               CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(acl.grantee)) END AS grantee
        FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) AS acl
        WHERE c.oid IN ('audit_log'::regclass, to_regclass('schema_migrations'))
          AND acl.grantee <> c.relowner
          AND acl.privilege_type IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')
    LOOP
        IF grant_row.target = 'audit_log'::regclass THEN
            EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM %s', grant_row.grantee);
        ELSE
            EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON %s FROM %s', grant_row.target, grant_row.grantee);
        END IF;
    END LOOP;
END
$$;

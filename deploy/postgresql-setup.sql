-- deploy/postgresql-setup.sql — least-privilege roles for one CharterWatch database on PostgreSQL 15+.
--
-- Two roles:
--   owner_role   (default charterwatch_owner) owns the schema and every table, function and index in it.
--                Only `charterctl migrate` connects as it.
--   runtime_role (default charterd) is what charterd and everyday charterctl commands connect as: it may
--                read and write rows (SELECT, INSERT, UPDATE, DELETE), never create, alter or drop anything,
--                never UPDATE, DELETE or TRUNCATE audit_log, and only read schema_migrations.
--
-- Run it as a superuser, or on a managed service as its administrator role (one with CREATEROLE that
-- may create extensions), connected to the charter database, which must exist already:
--
--   createdb charterwatch
--   psql -X -v ON_ERROR_STOP=1 -d charterwatch -f deploy/postgresql-setup.sql
--   psql -X -v ON_ERROR_STOP=1 -d charterwatch -v owner_role=cw2_owner -v runtime_role=cw2 -f ...   (other names)
--
-- It sets no passwords (they would end up in shell history and logs); set them interactively:
--   psql -d charterwatch -c '\password charterwatch_owner'   and   -c '\password charterd'
--
-- Then apply the schema as the owner, and start charterd as the runtime role:
--   CHARTERD_DATABASE_URL='postgresql://charterwatch_owner@db.internal/charterwatch' charterctl migrate
--
-- Running it again changes nothing that is already right; run it after restoring a dump into a new
-- server (deploy/README.md) to put the grants back. Grants on tables a later migration creates come
-- from the default privileges below; migration 0011 takes UPDATE, DELETE and TRUNCATE on audit_log
-- (and writing to schema_migrations) away from every role but the owner, whoever granted them.

\set ON_ERROR_STOP on
\if :{?owner_role}
\else
\set owner_role charterwatch_owner
\endif
\if :{?runtime_role}
\else
\set runtime_role charterd
\endif

-- Roles are cluster-wide: created once, reused by a second run or a second database.
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', :'owner_role')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner_role') \gexec
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', :'runtime_role')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'runtime_role') \gexec

-- A non-superuser administrator must be a member of the owner role to hand it the schema.
SELECT format('GRANT %I TO %I', :'owner_role', current_user)
WHERE NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
  AND NOT pg_has_role(current_user, :'owner_role', 'MEMBER') \gexec

-- Only the two roles (and administrators) may connect; neither may create schemas. Temporary tables
-- are not used by CharterWatch.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()) \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I, %I', current_database(), :'owner_role', :'runtime_role') \gexec

-- btree_gist backs the exclusion constraint on pledges; creating an extension is the administrator's
-- job on managed services, so it is done here (migration 0001 then finds it).
CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public;

-- The schema: the owner creates in it, the runtime role only uses it, nobody else sees into it.
ALTER SCHEMA public OWNER TO :"owner_role";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"runtime_role";

-- Tables and sequences the owner creates from now on (every migration): rows only.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner_role" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"runtime_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner_role" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"runtime_role";

-- Tables already there (a second run, or a restored dump): the same rows-only grants, then the
-- exceptions migration 0011 makes for new databases.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"runtime_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"runtime_role";
SELECT format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM %I', :'runtime_role')
WHERE to_regclass('public.audit_log') IS NOT NULL \gexec
SELECT format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM %I', :'runtime_role')
WHERE to_regclass('public.schema_migrations') IS NOT NULL \gexec

-- CharterWatch core schema: employers, charter versions and standards, pledges, calendar, rates.
-- Applied by the migrator inside one transaction.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE employers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL CHECK (length(btrim(name)) > 0),
    company_number text UNIQUE CHECK (company_number ~ '^([0-9]{8}|[A-Z]{2}[0-9]{6})$'),
    gpg_employer_id bigint UNIQUE,
    sic_codes text[] NOT NULL DEFAULT '{}',
    size_band text,
    sector text NOT NULL DEFAULT 'private' CHECK (sector IN ('private', 'public', 'voluntary')),
    has_london_workplaces boolean NOT NULL DEFAULT false,
    address text,
    postcode text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE employers IS 'Organisations that pledge to the charter; company_number is optional for public bodies.';

CREATE TABLE contacts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    employer_id bigint NOT NULL REFERENCES employers ON DELETE CASCADE,
    name text NOT NULL,
    email text NOT NULL CHECK (email LIKE '%_@_%'),
    role text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contacts_employer_idx ON contacts (employer_id);
COMMENT ON TABLE contacts IS 'People at an employer who receive its digests and reminders.';

CREATE TABLE charter_versions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    label text NOT NULL UNIQUE,
    effective_from date NOT NULL,
    params jsonb NOT NULL DEFAULT '{}',
    status text NOT NULL DEFAULT 'published' CHECK (status IN ('draft', 'published')),
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE charter_versions IS 'The standards in force from a date; immutable once an employer has pledged to it (a change is a new version).';

CREATE TABLE standards (
    charter_version_id bigint NOT NULL REFERENCES charter_versions ON DELETE CASCADE,
    standard_id text NOT NULL CHECK (standard_id ~ '^[a-z]+\.[a-z0-9-]+$'),
    pillar text NOT NULL CHECK (pillar IN ('fair', 'healthy', 'just', 'inclusive', 'governance')),
    title text NOT NULL,
    params jsonb NOT NULL DEFAULT '{}',
    severity_aspiring text NOT NULL CHECK (severity_aspiring IN ('critical', 'breach', 'warning', 'info', 'off')),
    severity_accredited text NOT NULL CHECK (severity_accredited IN ('critical', 'breach', 'warning', 'info', 'off')),
    PRIMARY KEY (charter_version_id, standard_id)
);
COMMENT ON TABLE standards IS 'Each charter standard of a version (ids as in SPEC §4) with its parameters and per-tier severity.';

CREATE TABLE pledges (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    employer_id bigint NOT NULL REFERENCES employers ON DELETE CASCADE,
    charter_version_id bigint NOT NULL REFERENCES charter_versions,
    tier text NOT NULL CHECK (tier IN ('aspiring', 'accredited')),
    living_hours boolean NOT NULL DEFAULT false,
    overrides jsonb NOT NULL DEFAULT '{}',
    valid_from date NOT NULL,
    valid_to date CHECK (valid_to IS NULL OR valid_to > valid_from),
    created_at timestamptz NOT NULL DEFAULT now(),
    EXCLUDE USING gist (employer_id WITH =, daterange(valid_from, valid_to, '[)') WITH &&)
);
COMMENT ON TABLE pledges IS 'Employer × charter version × tier over a date range; overrides may only tighten a standard. Ranges never overlap.';

-- Once an employer has pledged to a version, its standards are frozen.
CREATE FUNCTION refuse_change_to_pledged_standards() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pledges WHERE charter_version_id = COALESCE(OLD.charter_version_id, NEW.charter_version_id)) THEN
        RAISE EXCEPTION 'charter version % has pledges and cannot change; create a new version',
            COALESCE(OLD.charter_version_id, NEW.charter_version_id)
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN COALESCE(NEW, OLD);
END;
$$;
CREATE TRIGGER standards_frozen_once_pledged
    BEFORE UPDATE OR DELETE ON standards FOR EACH ROW EXECUTE FUNCTION refuse_change_to_pledged_standards();

CREATE TABLE bank_holidays (
    date date PRIMARY KEY,
    name text NOT NULL,
    region text NOT NULL DEFAULT 'england-and-wales'
);
COMMENT ON TABLE bank_holidays IS 'England and Wales bank holidays (data, not code): due dates move past them.';

CREATE TABLE rlw_rates (
    rate_year text PRIMARY KEY CHECK (rate_year ~ '^[0-9]{4}-[0-9]{2}$'),
    uk numeric(8, 4) NOT NULL CHECK (uk > 0),
    london numeric(8, 4) NOT NULL CHECK (london > 0),
    announced_on date NOT NULL,
    deadline date NOT NULL UNIQUE CHECK (deadline > announced_on)
);
COMMENT ON TABLE rlw_rates IS 'Real Living Wage (Living Wage Foundation): in force on d = latest rate whose deadline <= d.';

CREATE TABLE nmw_rates (
    effective_from date NOT NULL,
    band text NOT NULL CHECK (band IN ('21_plus', '18_20', 'under_18', 'apprentice')),
    rate numeric(8, 4) NOT NULL CHECK (rate > 0),
    PRIMARY KEY (effective_from, band)
);
COMMENT ON TABLE nmw_rates IS 'Statutory minimum (National Living / Minimum Wage) by band from its effective date.';

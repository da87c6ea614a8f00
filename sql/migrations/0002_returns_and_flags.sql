-- Quarterly returns (versioned), worker lines, contractors; flags and their review; exemptions.

CREATE TABLE returns (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    employer_id bigint NOT NULL REFERENCES employers ON DELETE CASCADE,
    period text NOT NULL CHECK (period ~ '^[0-9]{4}-Q[1-4]$'),
    first_received_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (employer_id, period)
);
COMMENT ON TABLE returns IS 'One per employer per reporting period; its content lives in immutable return_versions.';

CREATE TABLE return_versions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    return_id bigint NOT NULL REFERENCES returns ON DELETE CASCADE,
    version_no integer NOT NULL CHECK (version_no > 0),
    received_at timestamptz NOT NULL DEFAULT now(),
    submitted_by text NOT NULL,
    source text NOT NULL CHECK (source IN ('json', 'csv')),
    content_hash bytea NOT NULL,
    header jsonb NOT NULL,
    change_summary jsonb NOT NULL DEFAULT '{}',
    line_count integer NOT NULL DEFAULT 0 CHECK (line_count >= 0),
    warnings jsonb NOT NULL DEFAULT '[]',
    idempotency_key text,
    lines_purged_at timestamptz,
    UNIQUE (return_id, version_no)
);
CREATE INDEX return_versions_return_idx ON return_versions (return_id, version_no DESC);
COMMENT ON TABLE return_versions IS 'Every submission or amendment: immutable, with received time, submitter, content hash and change summary; the latest counts.';

CREATE TABLE idempotency_keys (
    employer_id bigint NOT NULL REFERENCES employers ON DELETE CASCADE,
    key text NOT NULL,
    request_hash bytea NOT NULL,
    response jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (employer_id, key)
);
COMMENT ON TABLE idempotency_keys IS 'Idempotency-Key of a submission and its first result, returned again on a repeat.';

CREATE TABLE worker_lines (
    return_version_id bigint NOT NULL REFERENCES return_versions ON DELETE CASCADE,
    line_no integer NOT NULL,
    worker_ref text NOT NULL CHECK (worker_ref ~ '^[A-Za-z0-9._-]{1,64}$'),
    employment_type text NOT NULL CHECK (employment_type IN ('direct', 'agency', 'contractor')),
    contract_type text NOT NULL CHECK (contract_type IN ('permanent', 'fixed_term', 'zero_hours', 'casual', 'apprentice', 'intern', 'volunteer')),
    age_band text NOT NULL CHECK (age_band IN ('under_18', '18', '19_20', '21_plus')),
    apprentice_first_year boolean,
    workplace_london boolean NOT NULL,
    hourly_rate numeric(12, 4) NOT NULL CHECK (hourly_rate > 0 AND hourly_rate <= 500),
    overtime_rate numeric(12, 4) CHECK (overtime_rate > 0 AND overtime_rate <= 500),
    contracted_hours numeric(6, 2) NOT NULL CHECK (contracted_hours BETWEEN 0 AND 100),
    avg_actual_hours_12w numeric(6, 2) CHECK (avg_actual_hours_12w BETWEEN 0 AND 100),
    zhc_by_request boolean,
    fewer_hours_by_request boolean,
    start_date date NOT NULL,
    last_hours_review date,
    guaranteed_hours_offered date,
    shifts_scheduled integer NOT NULL DEFAULT 0 CHECK (shifts_scheduled >= 0),
    shifts_short_notice integer NOT NULL DEFAULT 0 CHECK (shifts_short_notice >= 0),
    shifts_cancelled_short_notice integer NOT NULL DEFAULT 0 CHECK (shifts_cancelled_short_notice >= 0),
    shifts_cancelled_paid integer NOT NULL DEFAULT 0 CHECK (shifts_cancelled_paid >= 0 AND shifts_cancelled_paid <= shifts_cancelled_short_notice),
    agency_parity boolean,
    sex text CHECK (sex IN ('male', 'female')),
    PRIMARY KEY (return_version_id, worker_ref)
);
COMMENT ON TABLE worker_lines IS 'Pseudonymous worker lines of a return version (never names or NI numbers); deleted by retention, figures and flags kept.';

CREATE TABLE contractors (
    return_version_id bigint NOT NULL REFERENCES return_versions ON DELETE CASCADE,
    position integer NOT NULL,
    supplier text NOT NULL,
    service text NOT NULL,
    workers integer NOT NULL CHECK (workers >= 0),
    hours_per_day numeric(5, 2) NOT NULL CHECK (hours_per_day >= 0 AND hours_per_day <= 24),
    consecutive_weeks integer NOT NULL CHECK (consecutive_weeks >= 0),
    rlw_paid boolean NOT NULL,
    milestone date,
    PRIMARY KEY (return_version_id, position)
);
COMMENT ON TABLE contractors IS 'Third-party contracts declared in a return (pay.contractor-rlw).';

CREATE TABLE flags (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    employer_id bigint NOT NULL REFERENCES employers ON DELETE CASCADE,
    standard_id text NOT NULL,
    period text NOT NULL CHECK (period ~ '^[0-9]{4}-Q[1-4]$'),
    subject text NOT NULL DEFAULT '',
    state text NOT NULL CHECK (state IN ('open', 'acknowledged', 'disputed', 'resolved', 'cleared', 'waived')),
    severity text NOT NULL CHECK (severity IN ('critical', 'breach', 'warning', 'info')),
    evidence jsonb NOT NULL DEFAULT '{}',
    charter_version_id bigint REFERENCES charter_versions,
    return_version_id bigint REFERENCES return_versions ON DELETE SET NULL,
    explanation text,
    action_plan text,
    action_target_date date,
    opened_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (employer_id, standard_id, period, subject)
);
CREATE INDEX flags_state_idx ON flags (state, severity);
CREATE INDEX flags_period_idx ON flags (period, employer_id);
COMMENT ON TABLE flags IS 'A standard breached by an employer in a period (identity: employer, standard, period, subject); never duplicated, reopened with history.';

CREATE TABLE flag_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    flag_id bigint NOT NULL REFERENCES flags ON DELETE CASCADE,
    at timestamptz NOT NULL DEFAULT now(),
    actor text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('opened', 'transition', 'comment', 'response', 'evidence')),
    from_state text,
    to_state text,
    note text
);
CREATE INDEX flag_events_flag_idx ON flag_events (flag_id, at);
COMMENT ON TABLE flag_events IS 'Every change to a flag: actor, time, note, previous and new state.';

CREATE TABLE exemptions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    employer_id bigint NOT NULL REFERENCES employers ON DELETE CASCADE,
    standard_id text NOT NULL,
    period_from text CHECK (period_from ~ '^[0-9]{4}-Q[1-4]$'),
    period_to text CHECK (period_to ~ '^[0-9]{4}-Q[1-4]$'),
    reason text NOT NULL CHECK (length(btrim(reason)) > 0),
    expires_on date NOT NULL,
    granted_by text NOT NULL,
    granted_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    revoked_by text,
    CHECK (period_to IS NULL OR period_from IS NULL OR period_from <= period_to)
);
CREATE INDEX exemptions_employer_idx ON exemptions (employer_id, standard_id);
COMMENT ON TABLE exemptions IS 'Admin-granted exemptions; flags they cover are waived, still visible, never emailed as new breaches.';

-- Job runs, the mail outbox, reps, users, tokens, sessions, and the append-only audit log.

CREATE TABLE job_runs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job text NOT NULL,
    scheduled_for timestamptz NOT NULL,
    claimed_by text,
    lease_expires_at timestamptz,
    heartbeat_at timestamptz,
    started_at timestamptz,
    finished_at timestamptz,
    attempts integer NOT NULL DEFAULT 0,
    outcome text CHECK (outcome IN ('running', 'succeeded', 'failed', 'dry_run')),
    counts jsonb NOT NULL DEFAULT '{}',
    error text,
    UNIQUE (job, scheduled_for)
);
CREATE INDEX job_runs_job_idx ON job_runs (job, scheduled_for DESC);
COMMENT ON TABLE job_runs IS 'One row per scheduled occurrence, claimed before it runs (exactly once across instances), with its lease, outcome and counts.';

CREATE TABLE outbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL,
    recipient text NOT NULL,
    unique_key text NOT NULL UNIQUE,
    subject text NOT NULL,
    message bytea NOT NULL,
    state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'dead')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE state = 'queued';
COMMENT ON TABLE outbox IS 'Transactional outbox of complete RFC 5322 messages; unique_key (kind, recipient, period/run) stops a rerun queueing twice.';

CREATE TABLE reps (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    email text NOT NULL CHECK (email LIKE '%_@_%'),
    union_name text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX reps_email_idx ON reps (lower(email));
COMMENT ON TABLE reps IS 'Union representatives.';

CREATE TABLE rep_coverage (
    rep_id bigint NOT NULL REFERENCES reps ON DELETE CASCADE,
    employer_id bigint NOT NULL REFERENCES employers ON DELETE CASCADE,
    PRIMARY KEY (rep_id, employer_id)
);
CREATE INDEX rep_coverage_employer_idx ON rep_coverage (employer_id);
COMMENT ON TABLE rep_coverage IS 'Which employers a rep covers: a rep sees only these.';

CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL CHECK (email LIKE '%_@_%'),
    display_name text NOT NULL,
    password_hash text,
    role text NOT NULL CHECK (role IN ('admin', 'employer', 'rep', 'viewer')),
    employer_id bigint REFERENCES employers ON DELETE CASCADE,
    rep_id bigint REFERENCES reps ON DELETE CASCADE,
    disabled_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'employer') = (employer_id IS NOT NULL)),
    CHECK ((role = 'rep') = (rep_id IS NOT NULL))
);
CREATE UNIQUE INDEX users_email_idx ON users (lower(email));
COMMENT ON TABLE users IS 'People who sign in to the web pages; an employer user is bound to one employer, a rep user to one rep.';

CREATE TABLE api_tokens (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    prefix text NOT NULL UNIQUE,
    token_hash bytea NOT NULL,
    label text,
    role text NOT NULL CHECK (role IN ('admin', 'employer', 'rep', 'viewer')),
    employer_id bigint REFERENCES employers ON DELETE CASCADE,
    rep_id bigint REFERENCES reps ON DELETE CASCADE,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    revoked_at timestamptz,
    last_used_at timestamptz,
    CHECK ((role = 'employer') = (employer_id IS NOT NULL)),
    CHECK ((role = 'rep') = (rep_id IS NOT NULL))
);
COMMENT ON TABLE api_tokens IS 'API tokens: only a hash and a prefix are stored; shown once at creation.';

CREATE TABLE sessions (
    id_hash bytea PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expires_at);
COMMENT ON TABLE sessions IS 'Web sign-in sessions (cookie value stored hashed) with their CSRF token.';

CREATE TABLE sign_in_attempts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    remote_address text,
    at timestamptz NOT NULL DEFAULT now(),
    succeeded boolean NOT NULL
);
CREATE INDEX sign_in_attempts_email_idx ON sign_in_attempts (lower(email), at DESC);
COMMENT ON TABLE sign_in_attempts IS 'Recent sign-in attempts, for throttling.';

CREATE TABLE audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    actor text NOT NULL,
    action text NOT NULL,
    entity text NOT NULL,
    entity_id text,
    details jsonb NOT NULL DEFAULT '{}',
    prev_hash bytea NOT NULL,
    row_hash bytea NOT NULL UNIQUE
);
COMMENT ON TABLE audit_log IS 'Append-only record of every state change; each row carries the SHA-256 of the previous row and of its own canonical content.';

CREATE FUNCTION refuse_audit_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- Statement-level, so the refusal holds even when no row matches.
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_log_change();

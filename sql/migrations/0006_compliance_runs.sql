-- What the nightly compliance run needs to remember between nights.

-- The snapshot date of a reporting period 'YYYY-Qn': the last day of its quarter.
CREATE FUNCTION period_snapshot(p_period text) RETURNS date LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT (make_date(substr(p_period, 1, 4)::int, substr(p_period, 7, 1)::int * 3, 1)
            + interval '1 month' - interval '1 day')::date
$$;
COMMENT ON FUNCTION period_snapshot IS 'Last day of the quarter named YYYY-Qn (SPEC §2).';

-- The version of each return the rules last judged, so a run evaluates only what changed.
CREATE TABLE return_evaluations (
    return_id bigint PRIMARY KEY REFERENCES returns ON DELETE CASCADE,
    return_version_id bigint NOT NULL REFERENCES return_versions ON DELETE CASCADE,
    charter_version_id bigint REFERENCES charter_versions,
    zero_hours_share numeric,
    evaluated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE return_evaluations IS 'Latest evaluated version per return (and its zero-hours share, for the next period''s trend).';

CREATE INDEX flags_employer_period_idx ON flags (employer_id, period);

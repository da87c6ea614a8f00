-- SPEC §11: the charter's outcome figures, kept per return version when it is stored, so they outlive
-- retention's deletion of the worker lines and cost one row to read back.
--
-- ReturnStore computes each row in Swift (OutcomeFigures.Tally) from the lines as they stream in, in the
-- transaction that stores the version. Everything is a count that adds up across returns, except two
-- things kept whole as sorted hourly rates in ten-thousandths of a pound (exact for a return's four
-- decimal places): the direct lines' rates by sex, since a median cannot be summed, and the rates of the
-- lines in scope of the Real Living Wage, since below_rlw depends on a rate that `charterctl rates add`
-- may add or correct after the lines are gone. below_rlw is the only rate-dependent column: it is worked
-- out by outcome_below_rlw() when the row is written and again by refresh_outcome_below_rlw() whenever
-- the rates change, so reading it stays a sum.
CREATE TABLE outcome_figures (
    return_version_id bigint PRIMARY KEY REFERENCES return_versions ON DELETE CASCADE,
    snapshot date NOT NULL,
    headcount integer NOT NULL CHECK (headcount >= 0),
    lines integer NOT NULL CHECK (lines >= 0),
    direct_lines integer NOT NULL CHECK (direct_lines >= 0),
    direct_zero_hours integer NOT NULL CHECK (direct_zero_hours >= 0),
    insecure_lines integer NOT NULL CHECK (insecure_lines >= 0),
    direct_low_hours integer NOT NULL CHECK (direct_low_hours >= 0),
    recognition_agreement boolean,
    rlw_in_scope integer NOT NULL CHECK (rlw_in_scope >= 0),
    rlw_rates_uk integer[] NOT NULL,
    rlw_rates_london integer[] NOT NULL,
    below_rlw integer,
    male_rates integer[] NOT NULL,
    female_rates integer[] NOT NULL
);
COMMENT ON TABLE outcome_figures IS 'SPEC §11 figures of each return version (rates in ten-thousandths of a pound, sorted); below_rlw follows the rate table.';
COMMENT ON COLUMN outcome_figures.below_rlw IS 'In-scope lines below the Real Living Wage in force at the snapshot; NULL when no rate is in force.';

-- In-scope rates below the Real Living Wage in force on `at` (London rates against the London rate);
-- NULL when no rate is in force. A rate exactly equal to the RLW is not below it.
CREATE FUNCTION outcome_below_rlw(rates_uk integer[], rates_london integer[], at date) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT ((SELECT count(*) FROM unnest(rates_uk) AS r WHERE r < round(w.uk * 10000))
          + (SELECT count(*) FROM unnest(rates_london) AS r WHERE r < round(w.london * 10000)))::integer
    FROM rlw_rates w WHERE w.deadline <= at ORDER BY w.deadline DESC LIMIT 1
$$;

-- After a Real Living Wage rate is added or corrected: every below_rlw worked out again, rows whose
-- figure moved rewritten. Returns how many moved.
CREATE FUNCTION refresh_outcome_below_rlw() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    moved integer;
BEGIN
    WITH fresh AS (
        SELECT return_version_id, outcome_below_rlw(rlw_rates_uk, rlw_rates_london, snapshot) AS below
        FROM outcome_figures
    )
    UPDATE outcome_figures o SET below_rlw = fresh.below
    FROM fresh
    WHERE o.return_version_id = fresh.return_version_id AND o.below_rlw IS DISTINCT FROM fresh.below;
    GET DIAGNOSTICS moved = ROW_COUNT;
    RETURN moved;
END
$$;

-- The versions stored before this migration whose lines are still held, computed here as the Swift
-- tally does (same populations, same rounding). A version whose lines retention already deleted has
-- nothing to compute from and gets no row. Kept as a function so the tests can check it against the
-- Swift tally.
CREATE FUNCTION backfill_outcome_figures() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    added integer;
BEGIN
    INSERT INTO outcome_figures (return_version_id, snapshot, headcount, lines, direct_lines, direct_zero_hours,
                                 insecure_lines, direct_low_hours, recognition_agreement, rlw_in_scope,
                                 rlw_rates_uk, rlw_rates_london, male_rates, female_rates)
    SELECT v.id,
           period_snapshot(r.period),
           coalesce((v.header ->> 'headcount')::integer, 0),
           count(l.line_no)::integer,
           count(*) FILTER (WHERE l.employment_type = 'direct')::integer,
           count(*) FILTER (WHERE l.employment_type = 'direct' AND l.contract_type = 'zero_hours')::integer,
           count(*) FILTER (WHERE l.employment_type = 'agency' OR l.contract_type IN ('zero_hours', 'casual'))::integer,
           count(*) FILTER (WHERE l.employment_type = 'direct' AND l.contracted_hours < 16)::integer,
           (v.header -> 'attestations' ->> 'recognition_agreement')::boolean,
           count(*) FILTER (WHERE l.employment_type = 'direct' AND l.age_band <> 'under_18'
                              AND l.contract_type NOT IN ('apprentice', 'intern', 'volunteer'))::integer,
           coalesce(array_agg(round(l.hourly_rate * 10000)::integer ORDER BY l.hourly_rate)
                    FILTER (WHERE l.employment_type = 'direct' AND l.age_band <> 'under_18'
                              AND l.contract_type NOT IN ('apprentice', 'intern', 'volunteer')
                              AND NOT l.workplace_london), '{}'),
           coalesce(array_agg(round(l.hourly_rate * 10000)::integer ORDER BY l.hourly_rate)
                    FILTER (WHERE l.employment_type = 'direct' AND l.age_band <> 'under_18'
                              AND l.contract_type NOT IN ('apprentice', 'intern', 'volunteer')
                              AND l.workplace_london), '{}'),
           coalesce(array_agg(round(l.hourly_rate * 10000)::integer ORDER BY l.hourly_rate)
                    FILTER (WHERE l.employment_type = 'direct' AND l.sex = 'male'), '{}'),
           coalesce(array_agg(round(l.hourly_rate * 10000)::integer ORDER BY l.hourly_rate)
                    FILTER (WHERE l.employment_type = 'direct' AND l.sex = 'female'), '{}')
    FROM return_versions v
    JOIN returns r ON r.id = v.return_id
    LEFT JOIN worker_lines l ON l.return_version_id = v.id
    WHERE v.lines_purged_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM outcome_figures o WHERE o.return_version_id = v.id)
    GROUP BY v.id, r.period, v.header;
    GET DIAGNOSTICS added = ROW_COUNT;
    UPDATE outcome_figures SET below_rlw = outcome_below_rlw(rlw_rates_uk, rlw_rates_london, snapshot)
    WHERE below_rlw IS NULL;
    RETURN added;
END
$$;

SELECT backfill_outcome_figures();

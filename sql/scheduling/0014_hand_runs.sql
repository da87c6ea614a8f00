-- SPEC §6: every run is recorded, by hand or scheduled. A run started by hand (`charterctl run
-- nightly-compliance`, `POST /v1/runs/nightly-compliance`) gets its own row, `scheduled_for` being
-- when it started, and names who started it here; scheduled occurrences leave it NULL. The scheduler
-- reads only its own rows when it looks for occurrences missed while it was down, so a hand run never
-- stands in for a scheduled one. A dry run writes nothing, so it is never recorded.
ALTER TABLE job_runs ADD COLUMN triggered_by text;
COMMENT ON COLUMN job_runs.triggered_by IS 'Who started the run by hand (an audit actor); NULL for a scheduled occurrence.';

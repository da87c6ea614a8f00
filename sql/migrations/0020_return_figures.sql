-- The figures the nightly run judges a return by (ReturnFigures: who is below each rate, each hours
-- condition, the shift sums), kept per return version so the run need not read worker lines again.
--
-- A version's lines never change, but what its figures are measured against can: the charter version's
-- parameters, the pledge's overrides (tighten-only) and the rates in force at the snapshot. So figures
-- are filed under `criteria`, the text of every value they were measured with
-- (ReturnFigures.Criteria.key). ReturnStore works them out in Swift (ReturnFigures.Tally) as the lines
-- stream in, against the criteria of the pledge in force at the snapshot; a run or a rule preview whose
-- criteria match none kept works them out from the lines in SQL, and says so when retention has
-- deleted the lines. `figures` is ReturnFigures.packed (a few dozen bytes for a clean return).
CREATE TABLE return_figures (
    return_version_id bigint NOT NULL REFERENCES return_versions ON DELETE CASCADE,
    criteria text NOT NULL,
    figures bytea NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (return_version_id, criteria)
);
COMMENT ON TABLE return_figures IS 'ReturnFigures of each return version (packed), filed under the criteria they were measured with.';

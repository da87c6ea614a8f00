-- A flag's evidence is kept as the text the nightly run wrote (json), not parsed into jsonb.
--
-- Nothing reads into the evidence in SQL: every reader takes the whole document as text (the flag pages,
-- the API, digests, the run comparing old figures with new), so jsonb's parsed form was only paid for —
-- by every flag a run raises or updates, parsed on the one connection a run writes through. On
-- charter-bench compliance's first run (22,974 flags; psql, the same rows inserted into the truncated table,
-- alternating, five each): 302–332 ms as jsonb, 260–327 ms (typically 265) as json. json still refuses text
-- that is not JSON, and keeps what was written byte for byte, so a flag's evidence now reads back exactly as
-- its run encoded it (the run's digest of that text still decides whether new figures differ).
ALTER TABLE flags
    ALTER COLUMN evidence DROP DEFAULT,
    ALTER COLUMN evidence TYPE json USING evidence::json,
    ALTER COLUMN evidence SET DEFAULT '{}';
COMMENT ON COLUMN flags.evidence IS 'The figures behind the flag, as the run that raised or last updated it wrote them (json text, kept as written: 0029).';

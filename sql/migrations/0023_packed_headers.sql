-- A copy of each version's header in the compact form the nightly run reads (ReturnHeader.packed),
-- written with the header when the version is stored. The run reads tens of thousands of headers a
-- night; decoding each one's JSON was a third of the CPU the run spent in Swift. `header` stays the
-- version's record: a version whose `header_packed` is NULL (stored before this migration) is read
-- from its JSON, and anything that ever rewrites a header must set `header_packed` to NULL with it.
ALTER TABLE return_versions ADD COLUMN header_packed bytea;
COMMENT ON COLUMN return_versions.header_packed IS 'ReturnHeader.packed of header (NULL: read header); a copy, never the record.';

-- flags_period_idx (period, employer_id) serves nothing flags_period_id_idx (period, id) and
-- flags_employer_period_idx (employer_id, period) do not: no query was found using it in the workspace
-- benchmark's pages, and every flag the nightly run opens paid for it.
DROP INDEX flags_period_idx;

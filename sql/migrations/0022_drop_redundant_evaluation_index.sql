-- return_evaluations_version_idx (0007) let deleting a return version find its evaluation without a scan.
-- Since 0021 an evaluation names its version by (return_id, return_version_id), so that lookup is
-- `return_id = … AND return_version_id = …` and the primary key on return_id serves it. No query reads
-- evaluations by version alone; the index only cost every evaluation the nightly run writes (40,000 on
-- the first run of charter-bench compliance's charter).
DROP INDEX return_evaluations_version_idx;

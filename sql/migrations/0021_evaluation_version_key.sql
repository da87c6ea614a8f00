-- A return's evaluation names the version judged with one foreign key, (return_id, return_version_id)
-- to return_versions (return_id, id), in place of one to returns and one to return_versions.
--
-- Stronger: the version judged must be a version of that return, which the two separate keys did not
-- say. Cheaper: the nightly run writes an evaluation for every return it judges, and PostgreSQL checks
-- each foreign key of each row with a query of its own: on 40,000 evaluations the two checks took
-- 0.94 s, the one 0.69 s (charter-bench compliance's data, psql). Deleting a return still deletes its
-- evaluation, through its versions.
ALTER TABLE return_versions ADD CONSTRAINT return_versions_return_id_id_key UNIQUE (return_id, id);
ALTER TABLE return_evaluations
    DROP CONSTRAINT return_evaluations_return_id_fkey,
    DROP CONSTRAINT return_evaluations_return_version_id_fkey,
    ADD CONSTRAINT return_evaluations_version_fkey FOREIGN KEY (return_id, return_version_id)
        REFERENCES return_versions (return_id, id) ON DELETE CASCADE;

-- Indexes behind foreign keys that had none: deleting a return version (or an employer, which
-- cascades to its versions) otherwise scans every flag and evaluation for each version deleted.
CREATE INDEX flags_return_version_idx ON flags (return_version_id);
CREATE INDEX return_evaluations_version_idx ON return_evaluations (return_version_id);

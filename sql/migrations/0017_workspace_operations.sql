-- The workspace's operations pages (issue 20): the audit log filtered by actor, by object and by time,
-- newest first, at hundreds of thousands of rows; the job runs listed by job, newest first.
CREATE INDEX audit_log_actor_idx ON audit_log (actor, id DESC);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, id DESC);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX job_runs_job_id_idx ON job_runs (job, id DESC);

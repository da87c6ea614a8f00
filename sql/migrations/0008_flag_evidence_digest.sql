-- The SHA-256 of a flag's evidence as the nightly run last wrote it. A run compares the digest of
-- what it finds with this instead of parsing and comparing every flag's evidence JSON, which was
-- most of the cost of a run that changes nothing. NULL (flags written before this migration) makes
-- the run compare the JSON itself, as before.
ALTER TABLE flags ADD COLUMN evidence_digest bytea;
COMMENT ON COLUMN flags.evidence_digest IS 'SHA-256 of the evidence JSON as the nightly run encoded it; NULL = compare the JSON.';

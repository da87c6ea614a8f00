-- A flag's identity (employer, standard, period, subject) is unique; its index now leads with employer and
-- period, the order the nightly run and the employer pages look flags up in, so it also serves everything
-- flags_employer_period_idx (employer_id, period) did and that index goes. Uniqueness does not depend on
-- the order of the columns; every flag the nightly run opens is entered in one index fewer.
ALTER TABLE flags DROP CONSTRAINT flags_employer_id_standard_id_period_subject_key;
ALTER TABLE flags ADD CONSTRAINT flags_identity_key UNIQUE (employer_id, period, standard_id, subject);
DROP INDEX flags_employer_period_idx;

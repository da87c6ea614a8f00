-- Applications to join the charter, move up a tier or renew (issue 21, SPEC §10 "Application",
-- "Evidence files", "Assessment").
--
-- applications: one organisation's application. It is started without an account (status
-- 'unconfirmed' until the applicant follows the emailed link), filled in ('draft'), sent to the charter
-- team ('submitted'), possibly sent back with questions ('more-requested') and decided ('decided').
-- employer_id names the employer an existing signatory applies for, or the employer the approval created.
CREATE TABLE applications (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    status text NOT NULL DEFAULT 'unconfirmed'
        CHECK (status IN ('unconfirmed', 'draft', 'submitted', 'more-requested', 'decided')),
    applicant_name text NOT NULL,
    applicant_email text NOT NULL CHECK (applicant_email LIKE '%_@_%'),
    employer_id bigint REFERENCES employers,
    charter_version_id bigint NOT NULL REFERENCES charter_versions,
    organisation_name text NOT NULL,
    company_number text,
    sector text CHECK (sector IN ('private', 'public', 'voluntary')),
    size_band text,
    london_workplaces boolean,
    contact_name text,
    contact_email text,
    contact_role text,
    tier text CHECK (tier IN ('aspiring', 'accredited')),
    living_hours boolean NOT NULL DEFAULT false,
    notes text,
    submissions int NOT NULL DEFAULT 0,
    decision text CHECK (decision IN ('aspiring', 'accredited', 'declined')),
    reasons text,
    decided_by text,
    created_at timestamptz NOT NULL DEFAULT now(),
    confirmed_at timestamptz,
    submitted_at timestamptz,
    decided_at timestamptz,
    CHECK ((status = 'decided') = (decision IS NOT NULL)),
    CHECK (decision IS NULL OR reasons IS NOT NULL)
);
-- One open application per company number: a second organisation cannot apply under a number another
-- application already holds (SPEC §10 "Bad input").
CREATE UNIQUE INDEX applications_open_company_idx ON applications (company_number)
    WHERE status <> 'decided' AND company_number IS NOT NULL;
CREATE INDEX applications_status_idx ON applications (status, id);
CREATE INDEX applications_employer_idx ON applications (employer_id);
COMMENT ON TABLE applications IS 'Applications to join the charter, move up a tier or renew, from start to decision.';

-- application_links: the emailed links that confirm the applicant's address, or bring the applicant back
-- when the charter team asks for more. Only the SHA-256 of the secret is kept; a link works once.
CREATE TABLE application_links (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    application_id bigint NOT NULL REFERENCES applications ON DELETE CASCADE,
    purpose text NOT NULL CHECK (purpose IN ('confirm', 'return')),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX application_links_application_idx ON application_links (application_id);

-- application_sessions: a browser that followed a link works on that one application (the applicant has
-- no account); the cookie's SHA-256, and the CSRF token its forms carry.
CREATE TABLE application_sessions (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    application_id bigint NOT NULL REFERENCES applications ON DELETE CASCADE,
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX application_sessions_application_idx ON application_sessions (application_id);

-- application_answers: the self-assessment, one row per standard of the application's charter version.
CREATE TABLE application_answers (
    application_id bigint NOT NULL REFERENCES applications ON DELETE CASCADE,
    standard_id text NOT NULL,
    assessment text CHECK (assessment IN ('met', 'working-towards', 'not-applicable')),
    plan text,
    target_date date,
    note text,
    PRIMARY KEY (application_id, standard_id)
);

-- application_reviews: the charter team's view of each standard.
CREATE TABLE application_reviews (
    application_id bigint NOT NULL REFERENCES applications ON DELETE CASCADE,
    standard_id text NOT NULL,
    verdict text NOT NULL CHECK (verdict IN ('accepted', 'needs-more', 'not-accepted')),
    note text,
    reviewed_by text NOT NULL,
    reviewed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (application_id, standard_id)
);

-- application_requests: the charter team's questions when it asks for more, and the applicant's answer.
CREATE TABLE application_requests (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id bigint NOT NULL REFERENCES applications ON DELETE CASCADE,
    questions text NOT NULL,
    asked_by text NOT NULL,
    asked_at timestamptz NOT NULL DEFAULT now(),
    answer text,
    answered_at timestamptz
);
CREATE INDEX application_requests_application_idx ON application_requests (application_id, id);

-- application_evidence: the files, checked by content before they are stored, with their SHA-256.
CREATE TABLE application_evidence (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id bigint NOT NULL REFERENCES applications ON DELETE CASCADE,
    standard_id text,
    filename text NOT NULL,
    file_type text NOT NULL CHECK (file_type IN ('pdf', 'png', 'jpeg', 'docx', 'xlsx', 'csv', 'text')),
    size_bytes int NOT NULL CHECK (size_bytes > 0 AND size_bytes <= 10485760),
    sha256 bytea NOT NULL CHECK (length(sha256) = 32),
    content bytea NOT NULL,
    uploaded_by text NOT NULL,
    uploaded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX application_evidence_application_idx ON application_evidence (application_id, id);

ALTER TABLE outbox_messages DROP CONSTRAINT outbox_messages_kind_check;
ALTER TABLE outbox_messages ADD CONSTRAINT outbox_messages_kind_check
    CHECK (kind IN ('employer-digest', 'rep-digest', 'reminder', 'weekly-summary', 'flag-notice', 'invitation',
                    'accreditation-reminder', 'accreditation-lapsed', 'application'));

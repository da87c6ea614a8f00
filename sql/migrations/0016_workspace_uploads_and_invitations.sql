-- The people side of the charter team's workspace (issue 20).
--
-- workspace_uploads: a file uploaded to be previewed before it is applied (a GPG employer import).
-- The preview writes nothing; the file waits here, under a random id and bound to the person who
-- uploaded it, until they confirm (the row is deleted as the import is done) or it expires. Keeping it
-- server-side means the confirm step imports exactly the bytes that were previewed, and no file goes
-- back and forth through the browser.
CREATE TABLE workspace_uploads (
    id text PRIMARY KEY CHECK (length(id) >= 32),
    owner text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('gpg-import')),
    filename text NOT NULL,
    content bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX workspace_uploads_expiry_idx ON workspace_uploads (expires_at);
COMMENT ON TABLE workspace_uploads IS 'Uploads waiting for their preview to be confirmed; one owner (the actor who uploaded), deleted on confirm or after expiry.';

-- password_links: the one-time links that let an invited user set a password, or a user whose password
-- was reset set a new one. Only the SHA-256 of the link's secret is kept; a link works once, until it
-- expires, and a newer link for the same user ends the older ones.
CREATE TABLE password_links (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    purpose text NOT NULL CHECK (purpose IN ('invitation', 'reset')),
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX password_links_user_idx ON password_links (user_id);
COMMENT ON TABLE password_links IS 'One-time set-password links (invitation, reset) by the SHA-256 of their secret.';

-- The invitation and reset emails go through the outbox like every other message.
ALTER TABLE outbox_messages DROP CONSTRAINT outbox_messages_kind_check;
ALTER TABLE outbox_messages ADD CONSTRAINT outbox_messages_kind_check
    CHECK (kind IN ('employer-digest', 'rep-digest', 'reminder', 'weekly-summary', 'flag-notice', 'invitation'));

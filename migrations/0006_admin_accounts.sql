-- Admin accounts, their login sessions, and the audit log of admin changes.
-- Times are Unix milliseconds (UTC).

CREATE TABLE admin_users (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    -- Argon2id, as a PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE admin_sessions (
    -- SHA-256 of the session token; the token itself is only ever in the browser's cookie.
    token_sha256 BLOB    PRIMARY KEY CHECK (length(token_sha256) = 32),
    user_id      INTEGER NOT NULL REFERENCES admin_users (id) ON DELETE CASCADE,
    -- Sent back in X-CSRF-Token on every state-changing request made with this session.
    csrf_token   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX admin_sessions_by_user ON admin_sessions (user_id);
CREATE INDEX admin_sessions_by_expiry ON admin_sessions (expires_at);

CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    -- An admin user's name, or "token" for the admin token.
    actor   TEXT    NOT NULL,
    -- What was done, e.g. "settings.update", "story.delete".
    action  TEXT    NOT NULL,
    -- What it was done to, e.g. "settings", "story 3".
    subject TEXT    NOT NULL,
    -- The subject as JSON before and after; NULL when it did not exist.
    before  TEXT,
    after   TEXT
) STRICT;

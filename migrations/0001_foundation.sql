-- Subscribers, their topics, alerts as the public sees them, and server settings.
-- Times are Unix milliseconds (UTC).

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE subscriptions (
    id           INTEGER PRIMARY KEY,
    endpoint     TEXT    NOT NULL UNIQUE,
    p256dh       BLOB    NOT NULL CHECK (length(p256dh) = 65),
    auth         BLOB    NOT NULL CHECK (length(auth) = 16),
    created_at   INTEGER NOT NULL,
    refreshed_at INTEGER NOT NULL
) STRICT;

CREATE TABLE subscription_topics (
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    topic           TEXT    NOT NULL,
    PRIMARY KEY (subscription_id, topic)
) STRICT, WITHOUT ROWID;

CREATE INDEX subscription_topics_by_topic ON subscription_topics (topic, subscription_id);

CREATE TABLE alerts (
    id         INTEGER PRIMARY KEY,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    url        TEXT,
    story_id   INTEGER,
    public     INTEGER NOT NULL DEFAULT 1 CHECK (public IN (0, 1)),
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX alerts_public_recent ON alerts (public, created_at DESC);

CREATE TABLE alert_topics (
    alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    topic    TEXT    NOT NULL,
    PRIMARY KEY (alert_id, topic)
) STRICT, WITHOUT ROWID;
